using Wallets.Api.Tests.Infrastructure;

namespace Wallets.Api.Tests.Usage;

/// <summary>
/// Each aggregation type over HTTP: events in, `current_usage` units and amounts out. The API clock reads
/// 2026-01-15T10:00:00Z; subscriptions start at the beginning of January, so the current period is January.
/// </summary>
public sealed class AggregationTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private const string January = "2026-01-01T00:00:00Z";

    /// <summary>A fresh organization with one metric, a plan with one charge on it, and customer `acme` subscribed as `sub`.</summary>
    private async Task<HttpClient> SubscribedAsync(string aggregation, Func<string, object> charge)
    {
        var client = await api.NewOrganizationClientAsync();
        var metric = await client.MetricAsync("m", aggregation);
        await client.PlanAsync("p", "EUR", charge(metric));
        await client.SubscribeAsync("acme", "sub", "p", January);
        return client;
    }

    private static async Task<(string Units, long Events, long Amount)> UsageAsync(HttpClient client)
    {
        var charge = (await client.CurrentUsageAsync("acme", "sub")).ChargeUsage("m");
        return ((string)charge["units"]!, (long)charge["events_count"]!, (long)charge["amount_cents"]!);
    }

    [Fact]
    public async Task Count_agg_counts_every_event_and_a_standard_charge_prices_each_unit()
    {
        var client = await SubscribedAsync("count_agg", m => UsageSetup.Standard(m, "0.5"));
        for (var i = 0; i < 3; i++) await client.EventAsync("sub", "m");
        Assert.Equal(("3.0", 3L, 150L), await UsageAsync(client));
    }

    [Fact]
    public async Task Sum_agg_adds_numbers_and_numeric_strings_and_ignores_other_values()
    {
        var client = await SubscribedAsync("sum_agg", m => UsageSetup.Standard(m, "1"));
        await client.EventAsync("sub", "m", new { value = 10 });
        await client.EventAsync("sub", "m", new { value = "2.5" });
        await client.EventAsync("sub", "m", new { value = "lots" });
        await client.EventAsync("sub", "m", new { other = 4 });
        await client.EventAsync("sub", "m", new { value = -0.25 });
        Assert.Equal(("12.25", 5L, 1225L), await UsageAsync(client));
    }

    [Fact]
    public async Task Max_agg_keeps_the_greatest_value()
    {
        var client = await SubscribedAsync("max_agg", m => UsageSetup.Standard(m, "1"));
        await client.EventAsync("sub", "m", new { value = "not yet" });
        await client.EventAsync("sub", "m", new { value = -3 });
        // The first value is the maximum, even below zero (a negative quantity prices at zero).
        Assert.Equal(("-3.0", 2L, 0L), await UsageAsync(client));
        await client.EventAsync("sub", "m", new { value = 9 });
        await client.EventAsync("sub", "m", new { value = 4 });
        Assert.Equal(("9.0", 4L, 900L), await UsageAsync(client));
    }

    [Fact]
    public async Task Latest_agg_keeps_the_value_of_the_latest_event_by_timestamp_not_by_arrival()
    {
        var client = await SubscribedAsync("latest_agg", m => UsageSetup.Standard(m, "1"));
        await client.EventAsync("sub", "m", new { value = 7 }, timestamp: "2026-01-10T00:00:00Z");
        await client.EventAsync("sub", "m", new { value = 3 }, timestamp: "2026-01-05T00:00:00Z");
        Assert.Equal(("7.0", 2L, 700L), await UsageAsync(client));
        await client.EventAsync("sub", "m", new { value = 5 }, timestamp: "2026-01-12T00:00:00Z");
        Assert.Equal(("5.0", 3L, 500L), await UsageAsync(client));
    }

    [Fact]
    public async Task Latest_agg_inside_one_batch_keeps_the_latest_timestamp_then_the_last_sent()
    {
        var client = await SubscribedAsync("latest_agg", m => UsageSetup.Standard(m, "1"));
        object Item(string id, object value, string at) =>
            new { transaction_id = id, external_subscription_id = "sub", code = "m", timestamp = at, properties = new { value } };
        (await client.PostAsync("/api/v1/events/batch", new
        {
            events = new[]
            {
                Item("a", 4, "2026-01-11T00:00:00Z"), Item("b", 8, "2026-01-11T00:00:00Z"),
                Item("c", 1, "2026-01-03T00:00:00Z"), Item("d", "none", "2026-01-12T00:00:00Z"),
            },
        })).Ok();
        Assert.Equal(("8.0", 4L, 800L), await UsageAsync(client));
    }

    [Fact]
    public async Task Unique_count_agg_counts_each_distinct_value_once()
    {
        var client = await SubscribedAsync("unique_count_agg", m => UsageSetup.Standard(m, "1"));
        foreach (var value in new object[] { "alice", "bob", "alice", 1, "1", new string('x', 400), new string('x', 400) })
            await client.EventAsync("sub", "m", new { value });
        await client.EventAsync("sub", "m");
        Assert.Equal(("4.0", 8L, 400L), await UsageAsync(client));
    }

    [Fact]
    public async Task A_graduated_charge_prices_each_tier_and_adds_its_flat_amount()
    {
        var client = await SubscribedAsync("sum_agg", m => new
        {
            billable_metric_id = m, charge_model = "graduated", properties = new
            {
                graduated_ranges = new object[]
                {
                    new { from_value = 0, to_value = 10, per_unit_amount = "1", flat_amount = "0" },
                    new { from_value = 11, to_value = (int?)null, per_unit_amount = "0.5", flat_amount = "2" },
                },
            },
        });
        await client.EventAsync("sub", "m", new { value = 8 });
        Assert.Equal(("8.0", 1L, 800L), await UsageAsync(client));
        await client.EventAsync("sub", "m", new { value = 7 });
        Assert.Equal(("15.0", 2L, 1450L), await UsageAsync(client));
    }

    [Fact]
    public async Task A_package_charge_bills_started_packages_beyond_the_free_units()
    {
        var client = await SubscribedAsync("sum_agg", m => new
        {
            billable_metric_id = m, charge_model = "package", properties = new { amount = "10", package_size = 100, free_units = 50 },
        });
        await client.EventAsync("sub", "m", new { value = 50 });
        Assert.Equal(("50.0", 1L, 0L), await UsageAsync(client));
        await client.EventAsync("sub", "m", new { value = 201 });
        Assert.Equal(("251.0", 2L, 3000L), await UsageAsync(client));
    }

    [Fact]
    public async Task Taxes_are_included_unless_apply_taxes_is_false()
    {
        var client = await api.NewOrganizationClientAsync();
        (await client.PostAsync("/api/v1/taxes", new { tax = new { name = "VAT", code = "vat", rate = "20" } })).Ok();
        var metric = await client.MetricAsync("m");
        await client.PlanAsync("p", "EUR", UsageSetup.Standard(metric, "0.333", taxes: ["vat"]));
        await client.SubscribeAsync("acme", "sub", "p", January);
        for (var i = 0; i < 5; i++) await client.EventAsync("sub", "m");

        var usage = await client.CurrentUsageAsync("acme", "sub");
        Assert.Equal(167, (long)usage["amount_cents"]!);
        Assert.Equal(33, (long)usage["taxes_amount_cents"]!);
        Assert.Equal(200, (long)usage["total_amount_cents"]!);
        var untaxed = await client.CurrentUsageAsync("acme", "sub", "&apply_taxes=false");
        Assert.Equal(0, (long)untaxed["taxes_amount_cents"]!);
        Assert.Equal(167, (long)untaxed["total_amount_cents"]!);
    }

    [Fact]
    public async Task Huge_values_saturate_the_fee_instead_of_failing()
    {
        var client = await SubscribedAsync("sum_agg", m => UsageSetup.Standard(m, "1000000"));
        for (var i = 0; i < 3; i++) await client.EventAsync("sub", "m", new { value = "999999999999999999" });
        await client.EventAsync("sub", "m", new { value = "1e300" });
        var charge = (await client.CurrentUsageAsync("acme", "sub")).ChargeUsage("m");
        Assert.Equal("2999999999999999997.0", (string?)charge["units"]);
        Assert.Equal(100_000_000_000_000_000, (long)charge["amount_cents"]!);
    }
}
