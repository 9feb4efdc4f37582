using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Wallets.Api.Jobs;
using Wallets.Api.Tests.Infrastructure;

namespace Wallets.Api.Tests.Usage;

/// <summary>`GET /customers/{id}/current_usage`: its shape, its period, target-wallet groups and its refusals. Clock: 2026-01-15T10:00:00Z.</summary>
public sealed class CurrentUsageTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private async Task<(HttpClient Client, string Metric)> PlanAsync(bool targets = false)
    {
        var client = await api.NewOrganizationClientAsync();
        var metric = await client.MetricAsync("calls");
        await client.PlanAsync("p", "EUR", UsageSetup.Standard(metric, "1", targets));
        return (client, metric);
    }

    [Fact]
    public async Task The_answer_is_lagos_customer_usage_object_for_the_current_period_clamped_to_the_start()
    {
        var (client, metric) = await PlanAsync();
        var subscription = await client.SubscribeAsync("acme", "sub", "p", "2026-01-10T12:00:00Z");
        await client.EventAsync("sub", "calls");

        var usage = await client.CurrentUsageAsync("acme", "sub");
        Assert.Equal("2026-01-10T12:00:00Z", (string?)usage["from_datetime"]);
        Assert.Equal("2026-01-31T23:59:59Z", (string?)usage["to_datetime"]);
        Assert.Equal("2026-02-01", (string?)usage["issuing_date"]);
        Assert.Null(usage["lago_invoice_id"]);
        Assert.True(usage.AsObject().ContainsKey("lago_invoice_id"));
        Assert.Equal("EUR", (string?)usage["currency"]);
        Assert.Equal(100, (long)usage["amount_cents"]!);
        Assert.Equal(0, (long)usage["taxes_amount_cents"]!);
        Assert.Equal(100, (long)usage["total_amount_cents"]!);
        var charge = usage.ChargeUsage("calls");
        var chargeId = (string?)subscription["plan"]!["charges"]![0]!["lago_id"];
        Assert.Equal($$"""{"lago_id":"{{chargeId}}","charge_model":"standard","invoice_display_name":null}""", charge["charge"]!.ToJsonString());
        Assert.Equal($$"""{"lago_id":"{{metric}}","name":"Metric calls","code":"calls","aggregation_type":"count_agg"}""", charge["billable_metric"]!.ToJsonString());
        Assert.Equal("1.0", (string?)charge["units"]);
        Assert.Equal("1.0", (string?)charge["total_aggregated_units"]);
        Assert.Equal(1, (long)charge["events_count"]!);
        Assert.Equal("EUR", (string?)charge["amount_currency"]);
        Assert.Equal("[]", charge["filters"]!.ToJsonString());
        Assert.Equal("[]", charge["grouped_usage"]!.ToJsonString());
    }

    [Fact]
    public async Task An_unknown_customer_is_a_404_and_a_missing_or_inactive_subscription_a_405()
    {
        var (client, _) = await PlanAsync();
        await client.SubscribeAsync("acme", "sub", "p");
        await client.SubscribeAsync("other", "theirs", "p");
        (await client.GetJsonAsync("/api/v1/customers/nobody/current_usage?external_subscription_id=sub")).ExpectNotFound("customer");
        foreach (var query in new[] { "", "?external_subscription_id=", "?external_subscription_id=nope", "?external_subscription_id=theirs" })
        {
            Assert.Equal("""{"status":405,"error":"Method Not Allowed","code":"no_active_subscription"}""",
                (await client.GetJsonAsync($"/api/v1/customers/acme/current_usage{query}")).Expect(HttpStatusCode.MethodNotAllowed).ToJsonString());
        }
        (await client.DeleteJsonAsync("/api/v1/subscriptions/sub")).Ok();
        (await client.GetJsonAsync("/api/v1/customers/acme/current_usage?external_subscription_id=sub")).Expect(HttpStatusCode.MethodNotAllowed);
    }

    [Fact]
    public async Task Events_of_the_previous_period_do_not_count_in_the_current_one()
    {
        var (client, _) = await PlanAsync();
        await client.SubscribeAsync("acme", "sub", "p", "2025-12-01T00:00:00Z");
        await client.EventAsync("sub", "calls", timestamp: "2025-12-31T23:59:59Z");
        await client.EventAsync("sub", "calls");
        Assert.Equal(1, (long)(await client.CurrentUsageAsync("acme", "sub")).ChargeUsage("calls")["events_count"]!);

        api.Clock.Advance(TimeSpan.FromDays(31));
        var february = await client.CurrentUsageAsync("acme", "sub");
        Assert.Equal("2026-02-01T00:00:00Z", (string?)february["from_datetime"]);
        Assert.Equal("0.0", (string?)february.ChargeUsage("calls")["units"]);
        await client.EventAsync("sub", "calls");
        Assert.Equal(1, (long)(await client.CurrentUsageAsync("acme", "sub")).ChargeUsage("calls")["events_count"]!);
        api.Clock.Advance(-TimeSpan.FromDays(31));
    }

    [Fact]
    public async Task Periods_follow_the_customers_time_zone()
    {
        var (client, _) = await PlanAsync();
        (await client.PostAsync("/api/v1/customers", new { customer = new { external_id = "tokyo", timezone = "Asia/Tokyo" } })).Ok();
        await client.SubscribeAsync("tokyo", "sub", "p", "2025-12-01T00:00:00Z");
        // 2025-12-31T16:00Z is already January 1st in Tokyo.
        await client.EventAsync("sub", "calls", timestamp: "2025-12-31T16:00:00Z");
        await client.EventAsync("sub", "calls", timestamp: "2025-12-31T14:59:59Z");
        var usage = await client.CurrentUsageAsync("tokyo", "sub");
        Assert.Equal("2025-12-31T15:00:00Z", (string?)usage["from_datetime"]);
        Assert.Equal(1, (long)usage.ChargeUsage("calls")["events_count"]!);
    }

    [Fact]
    public async Task Events_before_the_start_for_unknown_subscriptions_or_for_unpriced_metrics_are_stored_and_ignored()
    {
        var (client, _) = await PlanAsync();
        await client.MetricAsync("unpriced");
        await client.SubscribeAsync("acme", "sub", "p", "2026-01-10T00:00:00Z");
        var early = await client.EventAsync("sub", "calls", timestamp: "2026-01-09T23:59:59Z");
        var stray = await client.EventAsync("ghost", "calls");
        await client.EventAsync("sub", "unpriced");
        await client.EventAsync("sub", "no_such_metric");

        Assert.Equal((string?)(await client.GetJsonAsync("/api/v1/subscriptions/sub")).Ok()["subscription"]!["lago_id"], (string?)early["lago_subscription_id"]);
        Assert.Null(stray["lago_subscription_id"]);
        Assert.Null(stray["lago_customer_id"]);
        var usage = await client.CurrentUsageAsync("acme", "sub");
        Assert.Equal(0, (long)usage.ChargeUsage("calls")["events_count"]!);
        Assert.Single(usage["charges_usage"]!.AsArray());
        Assert.Equal(4, (int)(await client.GetJsonAsync("/api/v1/events")).Ok()["meta"]!["total_count"]!);
    }

    [Fact]
    public async Task A_charge_that_accepts_target_wallets_splits_its_usage_by_target_from_the_top_level_or_properties()
    {
        var (client, _) = await PlanAsync(targets: true);
        await client.SubscribeAsync("acme", "sub", "p");
        await client.EventAsync("sub", "calls", new { target_wallet_code = "team_a" });
        await client.EventAsync("sub", "calls", new { target_wallet_code = "team_a" });
        (await client.SendEventAsync(new { transaction_id = "top", external_subscription_id = "sub", code = "calls", target_wallet_code = "team_b" })).Ok();
        await client.EventAsync("sub", "calls");

        var charge = (await client.CurrentUsageAsync("acme", "sub")).ChargeUsage("calls");
        Assert.Equal("4.0", (string?)charge["units"]);
        Assert.Equal(400, (long)charge["amount_cents"]!);
        var groups = charge["grouped_usage"]!.AsArray().ToDictionary(g => (string?)g!["grouped_by"]!["target_wallet_code"] ?? "", g => g!);
        Assert.Equal(["", "team_a", "team_b"], groups.Keys.Order());
        Assert.Equal(2, (long)groups["team_a"]["events_count"]!);
        Assert.Equal("2.0", (string?)groups["team_a"]["units"]);
        Assert.Equal(200, (long)groups["team_a"]["amount_cents"]!);
        Assert.Equal(100, (long)groups["team_b"]["amount_cents"]!);
        Assert.Equal(100, (long)groups[""]["amount_cents"]!);
    }

    [Fact]
    public async Task A_charge_that_does_not_accept_target_wallets_ignores_the_target()
    {
        var (client, _) = await PlanAsync(targets: false);
        await client.SubscribeAsync("acme", "sub", "p");
        await client.EventAsync("sub", "calls", new { target_wallet_code = "team_a" });
        await client.EventAsync("sub", "calls");
        var charge = (await client.CurrentUsageAsync("acme", "sub")).ChargeUsage("calls");
        Assert.Equal(2, (long)charge["events_count"]!);
        Assert.Empty(charge["grouped_usage"]!.AsArray());
    }

    [Fact]
    public async Task Usage_split_over_shards_is_added_up()
    {
        var (client, _) = await PlanAsync();
        var subscription = await client.SubscribeAsync("acme", "sub", "p");
        await client.EventAsync("sub", "calls");
        // Concurrent ingestion statements each add to their own shard of a usage row (see UsageShards); here a second
        // shard is written directly, as such a statement would have left it.
        await api.ScalarAsync<int>("""
            INSERT INTO charge_usage (organization_id, subscription_id, charge_id, period_from, target_wallet_code, shard, units, events_count, updated_at)
            SELECT organization_id, subscription_id, charge_id, period_from, target_wallet_code, shard + 1, 4, 4, now() FROM charge_usage
            WHERE subscription_id = @s::uuid RETURNING 1
            """, ("s", (string)subscription["lago_id"]!));

        var usage = await client.CurrentUsageAsync("acme", "sub");
        var charge = usage.ChargeUsage("calls");
        Assert.Equal("5.0", (string?)charge["units"]);
        Assert.Equal(5, (long)charge["events_count"]!);
        Assert.Single(usage["charges_usage"]!.AsArray());
        Assert.Equal(500, (long)usage["amount_cents"]!);
    }

    [Fact]
    public async Task Quiet_shards_are_folded_into_shard_zero_and_the_usage_stays_the_same()
    {
        var (client, _) = await PlanAsync();
        var subscription = await client.SubscribeAsync("acme", "sub", "p");
        await client.EventAsync("sub", "calls");
        // The event's row as shard 0 (where the job folds to); shards 1 and 2 last written two minutes ago (folded),
        // shard 3 just now (an ingestion may still be adding to it).
        await api.ScalarAsync<int>("UPDATE charge_usage SET shard = 0 WHERE subscription_id = @s::uuid RETURNING 1", ("s", (string)subscription["lago_id"]!));
        await api.ScalarAsync<int>("""
            INSERT INTO charge_usage (organization_id, subscription_id, charge_id, period_from, target_wallet_code, shard, units, events_count, updated_at)
            SELECT organization_id, subscription_id, charge_id, period_from, target_wallet_code, s, s * 10, s, @now::timestamptz - CASE WHEN s < 3 THEN interval '2 minutes' ELSE interval '0' END
            FROM charge_usage, generate_series(1, 3) s WHERE subscription_id = @s::uuid RETURNING 1
            """, ("s", (string)subscription["lago_id"]!), ("now", api.Clock.GetUtcNow().ToString("O")));
        var before = await client.CurrentUsageAsync("acme", "sub");
        Assert.Equal("61.0", (string?)before.ChargeUsage("calls")["units"]);

        var job = api.Services.GetRequiredService<UsageShardFoldJob>();
        Assert.True(await job.RunOnceAsync(CancellationToken.None) >= 2);

        Assert.Equal("0:31:4,3:30:3", await api.ScalarAsync<string>("""
            SELECT string_agg(shard || ':' || units::int || ':' || events_count, ',' ORDER BY shard) FROM charge_usage WHERE subscription_id = @s::uuid
            """, ("s", (string)subscription["lago_id"]!)));
        var after = await client.CurrentUsageAsync("acme", "sub");
        Assert.Equal(before.ToJsonString(), after.ToJsonString());
        Assert.Equal(0, await job.RunOnceAsync(CancellationToken.None));
    }
}
