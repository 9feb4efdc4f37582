using Npgsql;
using Wallets.Api.Features.Webhooks;

namespace Wallets.Api.Features.Alerts;

/// <summary>
/// Evaluates the balance alerts (`wallet_balance_amount` in cents, `wallet_credits_balance` in credits) of the wallets a
/// ledger batch moved, in that batch, after the balances are written: one statement, whatever the number of wallets,
/// that finds the thresholds crossed since the last evaluation, stores the new value and writes `alert.triggered` to
/// the outbox. The ledger holds the customer lock, so concurrent changes evaluate one after the other and a crossing
/// fires exactly once.
/// </summary>
public static class AlertEvaluation
{
    public const string WebhookType = "alert.triggered";

    // Wallet alerts watch a value going down: a threshold t is crossed when current <= t < previous. A recurring
    // threshold of step s repeats below the lowest one-time threshold (or 0): initial - k*s for k >= 1.
    private static readonly string Sql = $"""
        WITH valued AS (
            SELECT a.id, a.organization_id, a.wallet_id, a.alert_type, a.code, a.name, a.previous_value AS previous, c.external_id,
                CASE a.alert_type WHEN 'wallet_balance_amount' THEN w.balance_cents::numeric ELSE round(w.balance_cents / a.cents_per_credit, 5) END AS current
            FROM wallet_alerts a JOIN wallets w ON w.id = a.wallet_id JOIN customers c ON c.id = w.customer_id
            WHERE a.wallet_id = ANY ($1) AND a.alert_type IN ('wallet_balance_amount', 'wallet_credits_balance')),
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
            UPDATE wallet_alerts a SET previous_value = v.current, last_processed_at = $2, updated_at = $2 FROM valued v WHERE a.id = v.id),
        messages AS (
            SELECT v.organization_id, '{WebhookType}' AS webhook_type, 'triggered_alert' AS object_type,
                jsonb_build_object('webhook_type', '{WebhookType}', 'object_type', 'triggered_alert', 'organization_id', v.organization_id,
                    'triggered_alert', jsonb_build_object('lago_id', gen_random_uuid(), 'lago_organization_id', v.organization_id,
                        'lago_alert_id', v.id, 'lago_subscription_id', NULL, 'external_subscription_id', NULL, 'lago_wallet_id', v.wallet_id,
                        'external_customer_id', v.external_id, 'billable_metric_code', NULL, 'alert_name', v.name, 'alert_code', v.code,
                        'alert_type', v.alert_type, 'current_value', {Decimal("v.current")}, 'previous_value', {Decimal("v.previous")},
                        'crossed_thresholds', x.list, 'triggered_at', to_char($2 AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
                        'subscription_external_id', NULL, 'customer_external_id', v.external_id)) AS payload,
                row_number() OVER (ORDER BY v.wallet_id, v.alert_type) AS n
            FROM valued v
            JOIN LATERAL (SELECT jsonb_agg(jsonb_build_object('code', x.code, 'value', {Decimal("x.value")}, 'recurring', x.recurring)
                ORDER BY x.recurring, x.position, x.value) AS list FROM crossed x WHERE x.id = v.id) x ON x.list IS NOT NULL)
        {WebhookOutbox.FanOutSql("SELECT * FROM messages", "$2")}
        """;

    // Lago's BigDecimal text: trailing zeros trimmed, at least one decimal ("700.0").
    private static string Decimal(string v) => $"(CASE WHEN trim_scale({v})::text LIKE '%.%' THEN trim_scale({v})::text ELSE trim_scale({v})::text || '.0' END)";

    /// <summary>The statement for the wallets whose balance the batch moved; add it after the statement that moves them.</summary>
    public static NpgsqlBatchCommand Command(Guid[] walletIds, DateTimeOffset now) =>
        new(Sql) { Parameters = { new NpgsqlParameter { Value = walletIds }, new NpgsqlParameter { Value = now } } };
}
