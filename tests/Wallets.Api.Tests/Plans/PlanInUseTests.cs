using Wallets.Api.Tests.Infrastructure;
using static Wallets.Api.Tests.Plans.PlanTests;

namespace Wallets.Api.Tests.Plans;

/// <summary>What changes once customers subscribe to a plan.</summary>
public sealed class PlanInUseTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private static async Task<(HttpClient Client, string Metric)> SubscribedAsync(ApiFactory api)
    {
        var client = await api.NewOrganizationClientAsync();
        var metric = await MetricAsync(client, "storage", recurring: true);
        (await client.PostAsync("/api/v1/plans", new { plan = Plan("used", new { billable_metric_id = metric, charge_model = "standard", code = "gb", properties = new { amount = "1" } }) })).Ok();
        (await client.PostAsync("/api/v1/subscriptions", new { subscription = new { external_id = "s1", external_customer_id = "c1", plan_code = "used" } })).Ok();
        (await client.PostAsync("/api/v1/subscriptions", new { subscription = new { external_id = "s2", external_customer_id = "c2", plan_code = "used", subscription_at = "2027-01-01" } })).Ok();
        return (client, metric);
    }

    [Fact]
    public async Task Plans_and_metrics_count_their_active_subscriptions()
    {
        var (client, _) = await SubscribedAsync(api);
        var plan = (await client.GetJsonAsync("/api/v1/plans/used")).Ok()["plan"]!;
        Assert.Equal(1, (int)plan["active_subscriptions_count"]!);
        Assert.Equal(1, (int)plan["customers_count"]!);

        var metric = (await client.GetJsonAsync("/api/v1/billable_metrics/storage")).Ok()["billable_metric"]!;
        Assert.Equal(1, (int)metric["plans_count"]!);
        Assert.Equal(1, (int)metric["active_subscriptions_count"]!);
    }

    [Fact]
    public async Task A_subscribed_plan_keeps_its_code_interval_currency_and_charge_models()
    {
        var (client, _) = await SubscribedAsync(api);
        var plan = (await client.PutAsync("/api/v1/plans/used", new
        {
            plan = new
            {
                name = "Renamed", code = "other", interval = "yearly", amount_currency = "USD", amount_cents = 500,
                charges = new object[] { new { code = "gb", charge_model = "package", properties = new { amount = "2" } } },
            },
        })).Ok()["plan"]!;

        Assert.Equal("Renamed", (string?)plan["name"]);
        Assert.Equal(500, (long)plan["amount_cents"]!);
        Assert.Equal("used", (string?)plan["code"]);
        Assert.Equal("monthly", (string?)plan["interval"]);
        Assert.Equal("EUR", (string?)plan["amount_currency"]);
        Assert.Equal("standard", (string?)plan["charges"]![0]!["charge_model"]);
        Assert.Equal("2", (string?)plan["charges"]![0]!["properties"]!["amount"]);
    }

    [Fact]
    public async Task A_subscribed_metric_keeps_its_aggregation()
    {
        var (client, _) = await SubscribedAsync(api);
        var metric = (await client.PutAsync("/api/v1/billable_metrics/storage", new { billable_metric = new { name = "Disk", aggregation_type = "count_agg", code = "disk" } })).Ok()["billable_metric"]!;
        Assert.Equal("Disk", (string?)metric["name"]);
        Assert.Equal("storage", (string?)metric["code"]);
        Assert.Equal("sum_agg", (string?)metric["aggregation_type"]);
    }

    [Fact]
    public async Task Deleting_a_plan_terminates_its_active_subscriptions_and_cancels_pending_ones()
    {
        var (client, _) = await SubscribedAsync(api);
        var deleted = (await client.DeleteJsonAsync("/api/v1/plans/used")).Ok()["plan"]!;
        Assert.Equal("used", (string?)deleted["code"]);
        Assert.Equal(["gb"], deleted["charges"]!.AsArray().Select(c => (string)c!["code"]!));

        var s1 = (await client.GetJsonAsync("/api/v1/subscriptions/s1?status=terminated")).Ok()["subscription"]!;
        Assert.Equal("used", (string?)s1["plan_code"]);
        Assert.NotNull((string?)s1["terminated_at"]);
        Assert.Equal("canceled", (string?)(await client.GetJsonAsync("/api/v1/subscriptions/s2?status=canceled")).Ok()["subscription"]!["status"]);
        Assert.Equal(0L, await api.ScalarAsync<long>("SELECT count(*) FROM charges WHERE plan_id = @p AND deleted_at IS NULL", ("p", Guid.Parse((string)deleted["lago_id"]!))));
        Assert.Equal(1, (int)(await client.GetJsonAsync("/api/v1/customers/c1/subscriptions?status[]=terminated")).Ok()["meta"]!["total_count"]!);
    }

    [Fact]
    public async Task Deleting_a_metric_removes_its_charges_from_plans()
    {
        var (client, _) = await SubscribedAsync(api);
        (await client.DeleteJsonAsync("/api/v1/billable_metrics/storage")).Ok();
        Assert.Empty((await client.GetJsonAsync("/api/v1/plans/used")).Ok()["plan"]!["charges"]!.AsArray());
        (await client.GetJsonAsync("/api/v1/plans/used/charges/gb")).ExpectNotFound("charge");
    }
}
