using Npgsql;
using NpgsqlTypes;
using Wallets.Api.Features.Webhooks;

namespace Wallets.Api.Features.Alerts;

/// <summary>
/// Evaluates wallet alerts set-based: one statement, whatever the number of wallets, that finds the thresholds crossed
/// since the previous value, stores the new value and writes `alert.triggered` to the outbox. Balance alerts
/// (`wallet_balance_amount` in cents, `wallet_credits_balance` in credits) are evaluated by the ledger batch that moves
/// the balance out of the wallet's alert band (<see cref="BalanceCommand"/>); ongoing-balance alerts by the job that
/// follows usage (<see cref="OngoingCommand"/>). Both hold the customer lock, so changes evaluate one after the other
/// and a crossing fires exactly once. Storing a value makes the database recompute the wallet's bands (0021).
/// </summary>
public static class AlertEvaluation
{
    public const string WebhookType = "alert.triggered";

    // Wallet alerts watch a value going down: a threshold t is crossed when current <= t < previous. A recurring
    // threshold of step s repeats below the lowest one-time threshold (or 0): initial - k*s for k >= 1.
    // Input per wallet ($1): the ongoing balance ($2, for ongoing alerts), or what the batch moved the balance by ($3,
    // for balance alerts: the previous value is the balance before the batch, which the band guarantees is equivalent
    // to the stored one, and is what the payload reports). Values in credits are round(cents / cents_per_credit, 5).
    private static readonly string Sql = $"""
        WITH valued AS (
            SELECT a.id, a.organization_id, a.wallet_id, a.alert_type, a.code, a.name, c.external_id,
                   {Value("m.current_cents")} AS current, coalesce({Value("m.before_cents")}, a.previous_value) AS previous
            FROM unnest($1::uuid[], $2::bigint[], $3::bigint[]) AS i (wallet_id, ongoing_cents, moved_cents)
            JOIN wallets w ON w.id = i.wallet_id JOIN customers c ON c.id = w.customer_id
            JOIN wallet_alerts a ON a.wallet_id = w.id
             AND a.alert_type IN ('wallet_ongoing_balance_amount', 'wallet_credits_ongoing_balance') = (i.ongoing_cents IS NOT NULL)
            CROSS JOIN LATERAL (SELECT coalesce(i.ongoing_cents, w.balance_cents) AS current_cents, w.balance_cents - i.moved_cents AS before_cents) m),
        crossed AS (
            SELECT v.id, t.position, t.code, t.value, false AS recurring
            FROM valued v JOIN wallet_alert_thresholds t ON t.alert_id = v.id AND NOT t.recurring
            WHERE t.value >= v.current AND t.value < v.previous
            UNION ALL
            SELECT v.id, NULL, r.code, s.initial - k * r.value, true
            FROM valued v JOIN wallet_alert_thresholds r ON r.alert_id = v.id AND r.recurring
            CROSS JOIN LATERAL (SELECT coalesce(min(o.value), 0) AS initial FROM wallet_alert_thresholds o WHERE o.alert_id = v.id AND NOT o.recurring) s
            CROSS JOIN LATERAL generate_series(greatest(floor((s.initial - v.previous) / r.value) + 1, 1), floor((s.initial - v.current) / r.value)) AS k
            WHERE v.current < v.previous),
        evaluated AS (
            UPDATE wallet_alerts a SET previous_value = v.current, last_processed_at = $4, updated_at = $4 FROM valued v WHERE a.id = v.id),
        messages AS (
            SELECT v.organization_id, '{WebhookType}' AS webhook_type, 'triggered_alert' AS object_type,
                jsonb_build_object('webhook_type', '{WebhookType}', 'object_type', 'triggered_alert', 'organization_id', v.organization_id,
                    'triggered_alert', jsonb_build_object('lago_id', gen_random_uuid(), 'lago_organization_id', v.organization_id,
                        'lago_alert_id', v.id, 'lago_subscription_id', NULL, 'external_subscription_id', NULL, 'lago_wallet_id', v.wallet_id,
                        'external_customer_id', v.external_id, 'billable_metric_code', NULL, 'alert_name', v.name, 'alert_code', v.code,
                        'alert_type', v.alert_type, 'current_value', {Decimal("v.current")}, 'previous_value', {Decimal("v.previous")},
                        'crossed_thresholds', x.list, 'triggered_at', to_char($4 AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
                        'subscription_external_id', NULL, 'customer_external_id', v.external_id)) AS payload,
                row_number() OVER (ORDER BY v.wallet_id, v.alert_type) AS n
            FROM valued v
            JOIN LATERAL (SELECT jsonb_agg(jsonb_build_object('code', x.code, 'value', {Decimal("x.value")}, 'recurring', x.recurring)
                ORDER BY x.recurring, x.position, x.value) AS list FROM crossed x WHERE x.id = v.id) x ON x.list IS NOT NULL)
        {WebhookOutbox.FanOutSql("SELECT * FROM messages", "$4")}
        """;

    // Lago's BigDecimal text: trailing zeros trimmed, at least one decimal ("700.0").
    private static string Decimal(string v) => $"(CASE WHEN trim_scale({v})::text LIKE '%.%' THEN trim_scale({v})::text ELSE trim_scale({v})::text || '.0' END)";

    private static string Value(string cents) =>
        $"CASE WHEN a.alert_type IN ('wallet_balance_amount', 'wallet_ongoing_balance_amount') THEN {cents}::numeric ELSE round({cents} / a.cents_per_credit, 5) END";

    /// <summary>The balance alerts of wallets the batch moved by <paramref name="movedCents"/>; add it after the statement that moves them.</summary>
    public static NpgsqlBatchCommand BalanceCommand(Guid[] walletIds, long[] movedCents, DateTimeOffset now) =>
        Command(walletIds, new long?[walletIds.Length], movedCents.Select(c => (long?)c).ToArray(), now);

    /// <summary>The ongoing-balance alerts of wallets at these ongoing balances (cents).</summary>
    public static NpgsqlBatchCommand OngoingCommand(Guid[] walletIds, long[] ongoingCents, DateTimeOffset now) =>
        Command(walletIds, ongoingCents.Select(c => (long?)c).ToArray(), new long?[walletIds.Length], now);

    private static NpgsqlBatchCommand Command(Guid[] walletIds, long?[] ongoingCents, long?[] movedCents, DateTimeOffset now) => new(Sql)
    {
        Parameters =
        {
            new NpgsqlParameter { Value = walletIds }, new NpgsqlParameter { Value = ongoingCents, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint },
            new NpgsqlParameter { Value = movedCents, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint }, new NpgsqlParameter { Value = now },
        },
    };
}
