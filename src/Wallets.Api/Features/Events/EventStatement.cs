using Wallets.Api.Features.Webhooks;

namespace Wallets.Api.Features.Events;

/// <summary>
/// The one statement that stores events and adds them to their usage rows, for one event or many (arrays,
/// unnested; the events may belong to several organizations). Parameters: $1 now, $2 the usage shard, then one array
/// per column of the input below. Answers one row per event, in input order.
/// </summary>
internal static class EventStatement
{
    /// <summary>
    /// Run just before <see cref="Sql"/>, in the same transaction ($1: the events' organizations): every statement that
    /// counts events holds its organizations' events lock shared. A termination takes the lock exclusively
    /// (<see cref="LockOrganizationSql"/>) before it bills the usage so far: it waits for the statements already
    /// counting, then sees all they counted; later ones wait for it to commit, and only then take their snapshot, so
    /// they see the subscription ended. The main statement takes its snapshot after this one, which is why the lock
    /// cannot be taken inside it.
    /// </summary>
    public static readonly string ShareOrganizationsSql =
        $"SELECT count(pg_advisory_xact_lock_shared({LockKey("o")})) FROM (SELECT DISTINCT o FROM unnest($1::uuid[]) AS o) AS k";

    /// <summary>The organization's events lock ({0}, for EF Core), exclusively: until the transaction ends, no event of it is counted.</summary>
    public static readonly string LockOrganizationSql = $"SELECT pg_advisory_xact_lock({LockKey("{0}")})";

    private static string LockKey(string organization) => $"hashtextextended('events ' || {organization}::text, 0)";

    private const string SkipDuplicates = "ON CONFLICT (organization_id, transaction_id, external_subscription_id) DO NOTHING";

    public const string Sql = $$"""
        WITH input AS (
            SELECT * FROM unnest($3::uuid[], $4::uuid[], $5::text[], $6::text[], $7::text[], $8::text[], $9::timestamptz[], $10::jsonb[],
                                 $11::numeric[], $12::text[], $13::timestamptz[], $14::uuid[], $15::uuid[], $16::uuid[], $17::timestamptz[],
                                 $18::bigint[], $19::json[]) WITH ORDINALITY
                AS i(organization_id, id, transaction_id, external_subscription_id, external_customer_id, code, ts, properties,
                     precise, target, period_from, subscription_id, customer_id, plan_id, started_at, routes_version, target_error, ord)
        ),
        -- One primary-key probe per organization in the input (a join could scan organizations).
        versions AS MATERIALIZED (
            SELECT k.organization_id AS id, (SELECT o.routes_version FROM organizations o WHERE o.id = k.organization_id) AS routes_version
            FROM (SELECT DISTINCT organization_id FROM input) k
        ),
        -- The caller's cached routes (SubscriptionRoutes) hold if their organization's routes_version is the one they were
        -- read at (0009_subscription_routes_version.sql): one lookup per organization, not per event. An event without a
        -- route holds if its external id still names no active subscription.
        routed AS (
            SELECT i.*, COALESCE(i.subscription_id IS NOT NULL AND v.routes_version = i.routes_version, false) AS fresh,
                   CASE WHEN i.subscription_id IS NOT NULL THEN COALESCE(v.routes_version = i.routes_version, false)
                        ELSE NOT EXISTS (
                            SELECT FROM subscriptions s JOIN customers c ON c.id = s.customer_id AND c.deleted_at IS NULL
                            WHERE s.organization_id = i.organization_id AND s.external_id = i.external_subscription_id AND s.status = 'active')
                   END AS route_ok
            FROM input i LEFT JOIN versions v ON v.id = i.organization_id
        ),
        -- One stale route and nothing is stored: the caller reloads the routes and sends the whole set again. So the
        -- statement is all its events' work or none, and needs no transaction of its own (no round trip for COMMIT
        -- while it holds the usage rows' locks). Sorted, so concurrent batches take the unique index's locks in one order.
        inserted AS (
            INSERT INTO events (id, organization_id, transaction_id, external_subscription_id, external_customer_id, code, "timestamp",
                                properties, precise_total_amount_cents, target_wallet_code, subscription_id, customer_id, created_at)
            SELECT id, organization_id, transaction_id, external_subscription_id, external_customer_id, code, ts,
                   properties, precise, target, subscription_id, customer_id, $1
            FROM routed WHERE NOT EXISTS (SELECT FROM routed WHERE NOT route_ok)
            ORDER BY organization_id, transaction_id, external_subscription_id
            {{SkipDuplicates}}
            RETURNING id
        ),
        -- The live charges on each metric the events name: one lookup per plan and metric, not per event.
        charged AS MATERIALIZED (
            SELECT k.organization_id, k.plan_id, k.code, ch.id AS charge_id, ch.accepts_target_wallet, m.aggregation_type, m.field_name
            FROM (SELECT DISTINCT organization_id, plan_id, code FROM routed WHERE fresh) k
            JOIN charges ch ON ch.plan_id = k.plan_id AND ch.deleted_at IS NULL
            JOIN billable_metrics m ON m.id = ch.billable_metric_id AND m.deleted_at IS NULL AND m.organization_id = k.organization_id AND m.code = k.code
        ),
        -- One row per stored event and live charge of its plan on the event's metric (none before the subscription started;
        -- events are timed to the second, so an event in the second the subscription started counts).
        applied AS (
            SELECT r.organization_id, r.subscription_id, ch.charge_id, r.period_from,
                   CASE WHEN ch.accepts_target_wallet THEN r.target ELSE '' END AS target_wallet_code,
                   ch.aggregation_type, r.ts, r.ord, r.properties ->> ch.field_name AS raw
            FROM inserted e
            JOIN routed r ON r.id = e.id AND r.fresh AND r.ts >= date_trunc('second', r.started_at)
            JOIN charged ch ON ch.organization_id = r.organization_id AND ch.plan_id = r.plan_id AND ch.code = r.code
        ),
        -- A number (JSON number or numeric string) within ±10^18; anything else adds nothing but the event count.
        valued AS (
            SELECT a.*, CASE WHEN abs(a.parsed) < 1e18 THEN round(a.parsed, 10) END AS n
            FROM (SELECT applied.*,
                         CASE WHEN raw ~ '^\s*[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]{1,3})?\s*$' THEN raw::numeric END AS parsed
                  FROM applied) a
        ),
        -- unique_count_agg: only values new to their usage row count.
        new_values AS (
            INSERT INTO charge_usage_values (subscription_id, charge_id, period_from, target_wallet_code, value)
            SELECT DISTINCT subscription_id, charge_id, period_from, target_wallet_code,
                   CASE WHEN octet_length(raw) > 256 THEN 'sha256:' || encode(sha256(convert_to(raw, 'UTF8')), 'hex') ELSE raw END
            FROM valued WHERE aggregation_type = 'unique_count_agg' AND raw IS NOT NULL
            ORDER BY 1, 2, 3, 4, 5
            ON CONFLICT DO NOTHING
            RETURNING subscription_id, charge_id, period_from, target_wallet_code
        ),
        -- latest_agg: per usage row, the value of the latest event that carried one (one sort, not one per row).
        latest_values AS (
            SELECT DISTINCT ON (subscription_id, charge_id, period_from, target_wallet_code) subscription_id, charge_id, period_from, target_wallet_code, n
            FROM valued WHERE aggregation_type = 'latest_agg' AND n IS NOT NULL
            ORDER BY subscription_id, charge_id, period_from, target_wallet_code, ts DESC, ord DESC
        ),
        -- Several events of a batch on one usage row become one change (an upsert touches a row once per statement).
        grouped AS (
            SELECT organization_id, subscription_id, charge_id, period_from, target_wallet_code, min(aggregation_type) AS aggregation_type,
                   count(*) AS events_count, sum(n) AS sum_n, max(n) AS max_n,
                   max(ts) FILTER (WHERE n IS NOT NULL) AS valued_at
            FROM valued GROUP BY 1, 2, 3, 4, 5
        ),
        measured AS (
            SELECT g.*, CASE g.aggregation_type
                    WHEN 'count_agg' THEN g.events_count
                    WHEN 'sum_agg' THEN COALESCE(g.sum_n, 0)
                    WHEN 'max_agg' THEN COALESCE(g.max_n, 0)
                    WHEN 'latest_agg' THEN COALESCE((SELECT l.n FROM latest_values l
                          WHERE l.subscription_id = g.subscription_id AND l.charge_id = g.charge_id
                            AND l.period_from = g.period_from AND l.target_wallet_code = g.target_wallet_code), 0)
                    ELSE (SELECT count(*) FROM new_values v
                          WHERE v.subscription_id = g.subscription_id AND v.charge_id = g.charge_id
                            AND v.period_from = g.period_from AND v.target_wallet_code = g.target_wallet_code)
                END AS units
            FROM grouped g
        ),
        -- Usage rows are locked in key order by every statement, so concurrent ones cannot deadlock on them. Additive usage
        -- goes to this statement's shard ($2, see UsageShards), so concurrent statements do not wait on each other's rows.
        added AS (
            INSERT INTO charge_usage AS u (organization_id, subscription_id, charge_id, period_from, target_wallet_code, shard, units, events_count, latest_at, updated_at)
            SELECT organization_id, subscription_id, charge_id, period_from, target_wallet_code, $2, units, events_count, NULL, $1
            FROM measured WHERE aggregation_type IN ('count_agg', 'sum_agg', 'unique_count_agg')
            ORDER BY subscription_id, charge_id, period_from, target_wallet_code
            ON CONFLICT (subscription_id, charge_id, period_from, target_wallet_code, shard) DO UPDATE
            SET units = u.units + excluded.units, events_count = u.events_count + excluded.events_count, updated_at = excluded.updated_at
        ),
        maxed AS (
            INSERT INTO charge_usage AS u (organization_id, subscription_id, charge_id, period_from, target_wallet_code, units, events_count, latest_at, updated_at)
            SELECT organization_id, subscription_id, charge_id, period_from, target_wallet_code, units, events_count, valued_at, $1
            FROM measured WHERE aggregation_type = 'max_agg'
            ORDER BY subscription_id, charge_id, period_from, target_wallet_code
            ON CONFLICT (subscription_id, charge_id, period_from, target_wallet_code, shard) DO UPDATE
            SET units = CASE WHEN excluded.latest_at IS NULL THEN u.units
                             WHEN u.latest_at IS NULL THEN excluded.units
                             ELSE GREATEST(u.units, excluded.units) END,
                latest_at = GREATEST(u.latest_at, excluded.latest_at),
                events_count = u.events_count + excluded.events_count, updated_at = excluded.updated_at
        ),
        latest AS (
            INSERT INTO charge_usage AS u (organization_id, subscription_id, charge_id, period_from, target_wallet_code, units, events_count, latest_at, updated_at)
            SELECT organization_id, subscription_id, charge_id, period_from, target_wallet_code, units, events_count, valued_at, $1
            FROM measured WHERE aggregation_type = 'latest_agg'
            ORDER BY subscription_id, charge_id, period_from, target_wallet_code
            ON CONFLICT (subscription_id, charge_id, period_from, target_wallet_code, shard) DO UPDATE
            SET units = CASE WHEN excluded.latest_at IS NOT NULL AND (u.latest_at IS NULL OR excluded.latest_at >= u.latest_at)
                             THEN excluded.units ELSE u.units END,
                latest_at = GREATEST(u.latest_at, excluded.latest_at),
                events_count = u.events_count + excluded.events_count, updated_at = excluded.updated_at
        ),
        -- event.error (behavior.md): a stored event whose target_wallet_code a charge accepts names no active wallet of its
        -- customer. Its outbox rows ($19: the webhook body, made by the caller for each event with a target) are written
        -- here, with the event, for each endpoint that takes the type.
        event_errors AS (
            INSERT INTO webhooks (id, organization_id, webhook_endpoint_id, webhook_type, object_type, payload, next_attempt_at, created_at, updated_at)
            SELECT uuid_v7(), t.organization_id, e.id, 'event.error', 'event_error', t.target_error, $1, $1, $1
            FROM (SELECT DISTINCT ON (a.ord) a.organization_id, a.ord, r.target_error
                  FROM applied a JOIN routed r ON r.ord = a.ord
                  WHERE a.target_wallet_code <> '' AND r.target_error IS NOT NULL
                    AND NOT EXISTS (SELECT FROM wallets w WHERE w.customer_id = r.customer_id AND w.code = a.target_wallet_code AND w.status = 'active')) t
            JOIN webhook_endpoints e ON e.organization_id = t.organization_id AND (e.event_types IS NULL OR 'event.error' = ANY (e.event_types))
            ORDER BY t.ord
            {{WebhookOutbox.LockEndpoints}}
        )
        SELECT r.route_ok, e.id IS NOT NULL AS inserted, r.subscription_id, r.customer_id
        FROM routed r LEFT JOIN inserted e ON e.id = r.id
        ORDER BY r.ord
        """;

    /// <summary>
    /// The same statement for events stored all or nothing: a stored transaction_id fails it (unique violation) instead
    /// of being skipped, which spares each event a second descent of the unique index.
    /// </summary>
    public static readonly string AllOrNothingSql = Sql.Replace(SkipDuplicates, "");
}
