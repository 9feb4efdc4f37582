using System.Text.Json;
using System.Text.Json.Nodes;

namespace Wallets.Api.Tests.Infrastructure;

/// <summary>Metrics, plans, subscriptions and events for the usage tests; each call asserts its own success.</summary>
public static class UsageSetup
{
    /// <summary>A billable metric reading the property `value` (none for count_agg); returns its lago_id.</summary>
    public static async Task<string> MetricAsync(this HttpClient client, string code, string aggregation = "count_agg", string field = "value") =>
        (string)(await client.PostAsync("/api/v1/billable_metrics", new
        {
            billable_metric = new { name = $"Metric {code}", code, aggregation_type = aggregation, field_name = aggregation == "count_agg" ? null : field },
        })).Ok()["billable_metric"]!["lago_id"]!;

    /// <summary>A standard charge at <paramref name="amount"/> per unit.</summary>
    public static object Standard(string metricId, string amount, bool targets = false, string[]? taxes = null) =>
        new { billable_metric_id = metricId, charge_model = "standard", accepts_target_wallet = targets, properties = new { amount }, tax_codes = taxes };

    /// <summary>A monthly plan (base fee 10.00) in <paramref name="currency"/> with these charges; returns the plan object.</summary>
    public static async Task<JsonNode> PlanAsync(this HttpClient client, string code, string currency, params object[] charges) =>
        (await client.PostAsync("/api/v1/plans", new
        {
            plan = new { name = $"Plan {code}", code, interval = "monthly", amount_cents = 1000, amount_currency = currency, pay_in_advance = false, charges },
        })).Ok()["plan"]!;

    public static async Task<JsonNode> SubscribeAsync(this HttpClient client, string customer, string externalId, string plan, string? subscriptionAt = null) =>
        (await client.PostAsync("/api/v1/subscriptions", new
        {
            subscription = new { external_customer_id = customer, external_id = externalId, plan_code = plan, subscription_at = subscriptionAt },
        })).Ok()["subscription"]!;

    /// <summary>POST /events with these fields (anonymous object or dictionary); returns the reply unchecked.</summary>
    public static Task<Reply> SendEventAsync(this HttpClient client, object fields) => client.PostAsync("/api/v1/events", new { @event = fields });

    /// <summary>One event on a subscription; a fresh transaction_id unless given. Returns the event object.</summary>
    public static async Task<JsonNode> EventAsync(this HttpClient client, string subscription, string code, object? properties = null, string? transactionId = null, object? timestamp = null)
    {
        var fields = new Dictionary<string, object?>
        {
            ["transaction_id"] = transactionId ?? Guid.NewGuid().ToString("N"), ["external_subscription_id"] = subscription, ["code"] = code,
            ["properties"] = properties, ["timestamp"] = timestamp,
        };
        return (await client.SendEventAsync(fields)).Ok()["event"]!;
    }

    public static async Task<JsonNode> CurrentUsageAsync(this HttpClient client, string customer, string subscription, string extra = "") =>
        (await client.GetJsonAsync($"/api/v1/customers/{customer}/current_usage?external_subscription_id={subscription}{extra}")).Ok()["customer_usage"]!;

    /// <summary>The usage of the charge on metric <paramref name="metricCode"/> in a current usage answer.</summary>
    public static JsonNode ChargeUsage(this JsonNode usage, string metricCode) =>
        usage["charges_usage"]!.AsArray().Single(c => (string?)c!["billable_metric"]!["code"] == metricCode)!;

    /// <summary>Events, usage rows and unique values as they stand, to prove a refused request wrote nothing.</summary>
    public static async Task<string> UsageStateAsync(this ApiFactory api) =>
        await api.ScalarAsync<long>("SELECT count(*) FROM events") + "|" +
        await api.ScalarAsync<string>("SELECT coalesce(md5(string_agg(concat_ws('|', charge_id, period_from, target_wallet_code, units, events_count), ',' ORDER BY charge_id, period_from, target_wallet_code)), '') FROM charge_usage") + "|" +
        await api.ScalarAsync<long>("SELECT count(*) FROM charge_usage_values");

    /// <summary>Sends a request that must be refused and asserts no event, usage row or unique value changed.</summary>
    public static async Task<Reply> NoUsageChangeAsync(this ApiFactory api, Func<Task<Reply>> request)
    {
        var before = await api.UsageStateAsync();
        var reply = await request();
        Assert.True(before == await api.UsageStateAsync(), $"the request changed events or usage ({(int)reply.Status}: {reply.Text})");
        return reply;
    }

    public static string Json(object value) => JsonSerializer.Serialize(value);
}
