using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Wallets.Api.Jobs;
using Wallets.Api.Tests.Infrastructure;

namespace Wallets.Api.Tests.Invoicing;

/// <summary>
/// Catalog, subscriptions, wallets and usage for the invoicing tests, and the billing job under the test clock.
/// A test class shares one database and one clock, which only moves forward: tests take dates from
/// <see cref="MonthStart"/> of the clock's current reading, never fixed ones.
/// </summary>
public static class InvoicingSetup
{
    public static DateTimeOffset MonthStart(DateTimeOffset t) => new(t.Year, t.Month, 1, 0, 0, 0, TimeSpan.Zero);

    public static DateTimeOffset ThisMonth(this ApiFactory api) => MonthStart(api.Clock.GetUtcNow());

    /// <summary>Moves the clock forward to <paramref name="at"/> (never back) and runs one billing run; returns the invoices made.</summary>
    public static async Task<int> BillAsync(this ApiFactory api, DateTimeOffset at)
    {
        api.MoveClockTo(at);
        return await api.Services.GetRequiredService<BillingJob>().RunOnceAsync(CancellationToken.None);
    }

    public static void MoveClockTo(this ApiFactory api, DateTimeOffset at)
    {
        var now = api.Clock.GetUtcNow();
        if (at > now) api.Clock.Advance(at - now);
    }

    public static async Task<string> TaxAsync(this HttpClient client, string code, string rate, bool organizationDefault = false) =>
        (string)(await client.PostAsync("/api/v1/taxes", new { tax = new { name = code.ToUpperInvariant(), code, rate, applied_to_organization = organizationDefault } }))
            .Ok()["tax"]!["lago_id"]!;

    public static async Task<string> SumMetricAsync(this HttpClient client, string code) =>
        (string)(await client.PostAsync("/api/v1/billable_metrics", new
        {
            billable_metric = new { name = code.ToUpperInvariant(), code, aggregation_type = "sum_agg", field_name = "units" },
        })).Ok()["billable_metric"]!["lago_id"]!;

    /// <summary>A standard charge: <paramref name="amount"/> euros per unit.</summary>
    public static Dictionary<string, object?> Charge(string metricId, string amount = "1", string? code = null) => new()
    {
        ["billable_metric_id"] = metricId, ["charge_model"] = "standard", ["properties"] = new { amount }, ["code"] = code,
    };

    /// <summary>A monthly EUR plan; returns it with its charges (`charges[i].lago_id`).</summary>
    public static async Task<JsonNode> PlanAsync(this HttpClient client, string code, long amountCents, IEnumerable<object> charges,
        bool payInAdvance = false, string[]? taxCodes = null, decimal? trialPeriod = null) =>
        (await client.PostAsync("/api/v1/plans", new
        {
            plan = new
            {
                name = code.ToUpperInvariant(), code, interval = "monthly", amount_cents = amountCents, amount_currency = "EUR",
                pay_in_advance = payInAdvance, tax_codes = taxCodes, trial_period = trialPeriod, charges,
            },
        })).Ok()["plan"]!;

    public static async Task CustomerAsync(this HttpClient client, string externalId, int? netPaymentTerm = null, string? timezone = null) =>
        (await client.PostAsync("/api/v1/customers", new { customer = new { external_id = externalId, currency = "EUR", net_payment_term = netPaymentTerm, timezone } })).Ok();

    public static async Task<JsonNode> SubscribeAsync(this HttpClient client, string customer, string plan, DateTimeOffset at, string? externalId = null) =>
        (await client.PostAsync("/api/v1/subscriptions", new
        {
            subscription = new
            {
                external_customer_id = customer, plan_code = plan, external_id = externalId ?? $"{customer}-{plan}",
                subscription_at = at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"),
            },
        })).Ok()["subscription"]!;

    /// <summary>An EUR wallet at 1 credit = 1 euro, holding <paramref name="grantedCredits"/> granted credits; returns the wallet.</summary>
    public static async Task<JsonNode> EuroWalletAsync(this HttpClient client, string customer, string code, string? grantedCredits,
        int priority = 50, string[]? feeTypes = null, string[]? metricCodes = null) =>
        (await client.PostAsync("/api/v1/wallets", new
        {
            wallet = new
            {
                external_customer_id = customer, code, name = code, rate_amount = "1", currency = "EUR", priority,
                granted_credits = grantedCredits, applies_to = new { fee_types = feeTypes, billable_metric_codes = metricCodes },
            },
        })).Ok()["wallet"]!;

    /// <summary>
    /// Usage, put where invoices read it. The events feature fills charge_usage as events arrive (built elsewhere);
    /// these tests start from that table. <paramref name="periodFrom"/> is the billing period's start (UTC customers).
    /// </summary>
    public static async Task UsageAsync(this ApiFactory api, JsonNode subscription, string chargeId, DateTimeOffset periodFrom,
        decimal units, string targetWalletCode = "", long events = 1) =>
        await api.ScalarAsync<int>("""
            INSERT INTO charge_usage (organization_id, subscription_id, charge_id, period_from, target_wallet_code, units, events_count, updated_at)
            SELECT organization_id, id, @charge, @from, @target, @units, @events, now() FROM subscriptions WHERE id = @subscription
            RETURNING 1
            """,
            ("subscription", Guid.Parse((string)subscription["lago_id"]!)), ("charge", Guid.Parse(chargeId)), ("from", periodFrom),
            ("target", targetWalletCode), ("units", units), ("events", events));

    public static async Task<List<JsonNode>> InvoicesAsync(this HttpClient client, string customer, string type = "subscription") =>
        (await client.GetJsonAsync($"/api/v1/customers/{customer}/invoices?invoice_type={type}")).Ok()["invoices"]!.AsArray()
            .Select(i => i!).Reverse().ToList();

    public static async Task<JsonNode> InvoiceAsync(this HttpClient client, string id) =>
        (await client.GetJsonAsync($"/api/v1/invoices/{id}")).Ok()["invoice"]!;

    /// <summary>The invoiced debits of one invoice, wallet code → cents.</summary>
    public static async Task<Dictionary<string, long>> PaidByWalletAsync(this ApiFactory api, string invoiceId)
    {
        var text = await api.ScalarAsync<string>("""
            SELECT coalesce(string_agg(w.code || '=' || t.amount_cents, ',' ORDER BY w.code), '') FROM wallet_transactions t
            JOIN wallets w ON w.id = t.wallet_id WHERE t.invoice_id = @invoice AND t.transaction_status = 'invoiced'
            """, ("invoice", Guid.Parse(invoiceId)));
        return text.Length == 0 ? [] : text.Split(',').Select(p => p.Split('=')).ToDictionary(p => p[0], p => long.Parse(p[1]));
    }

    public static async Task<long> BalanceAsync(this HttpClient client, string walletId) =>
        (long)(await client.GetJsonAsync($"/api/v1/wallets/{walletId}")).Ok()["wallet"]!["balance_cents"]!;

    public static string ChargeId(this JsonNode plan, int index = 0) => (string)plan["charges"]![index]!["lago_id"]!;

    public static JsonNode Fee(this JsonNode invoice, string type, string? targetWalletCode = null) =>
        invoice["fees"]!.AsArray().Single(f => (string?)f!["item"]!["type"] == type
            && (targetWalletCode is null || (string?)f["item"]!["grouped_by"]!["target_wallet_code"] == targetWalletCode))!;
}
