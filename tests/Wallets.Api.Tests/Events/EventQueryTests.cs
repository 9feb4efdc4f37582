using Wallets.Api.Tests.Infrastructure;

namespace Wallets.Api.Tests.Events;

/// <summary>The event object, timestamps as Lago reads and writes them, `GET /events` filters, lookup, and tenant isolation.</summary>
public sealed class EventQueryTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task The_answer_is_lagos_event_object_with_millisecond_timestamps()
    {
        var client = await api.NewOrganizationClientAsync();
        var metric = await client.MetricAsync("gb", "sum_agg");
        await client.PlanAsync("p", "EUR", UsageSetup.Standard(metric, "1"));
        var subscription = await client.SubscribeAsync("acme", "sub", "p", "2022-01-01T00:00:00Z");
        var e = (await client.SendEventAsync(new
        {
            transaction_id = "tx", external_subscription_id = "sub", code = "gb", timestamp = "1651240791.123",
            properties = new { value = 10, region = "eu" }, precise_total_amount_cents = "1234.56",
        })).Ok()["event"]!;

        Assert.Matches("^[0-9a-f-]{36}$", (string?)e["lago_id"]);
        Assert.Equal("tx", (string?)e["transaction_id"]);
        Assert.Equal((string?)subscription["lago_customer_id"], (string?)e["lago_customer_id"]);
        Assert.Equal((string?)subscription["lago_id"], (string?)e["lago_subscription_id"]);
        Assert.Equal("gb", (string?)e["code"]);
        Assert.Equal("2022-04-29T13:59:51.123Z", (string?)e["timestamp"]);
        Assert.Equal("1234.56", (string?)e["precise_total_amount_cents"]);
        Assert.Equal("""{"value":10,"region":"eu"}""", e["properties"]!.ToJsonString());
        Assert.Equal("sub", (string?)e["external_subscription_id"]);
        Assert.True(e.AsObject().ContainsKey("external_customer_id"));
        Assert.Equal("2026-01-15T10:00:00Z", ((string?)e["created_at"])![..17] + "00Z");

        var found = (await client.GetJsonAsync("/api/v1/events/tx")).Ok()["event"]!;
        foreach (var field in new[] { "lago_id", "transaction_id", "lago_customer_id", "lago_subscription_id", "code", "timestamp", "precise_total_amount_cents", "external_subscription_id", "created_at" })
            Assert.Equal(e[field]?.ToJsonString(), found[field]?.ToJsonString());
        Assert.Equal(10, (int)found["properties"]!["value"]!);
    }

    [Theory]
    [InlineData(1651240791L, "2022-04-29T13:59:51.000Z")]
    [InlineData(1651240791.5, "2022-04-29T13:59:51.500Z")]
    [InlineData("1651240791", "2022-04-29T13:59:51.000Z")]
    [InlineData("2022-04-29T13:59:51.25Z", "2022-04-29T13:59:51.250Z")]
    [InlineData("2022-04-29T15:59:51+02:00", "2022-04-29T13:59:51.000Z")]
    [InlineData(null, "2026-01-15T10:00:")]
    public async Task Timestamps_are_unix_seconds_or_iso_8601_and_default_to_now(object? sent, string shown)
    {
        var client = await api.NewOrganizationClientAsync();
        var e = (await client.SendEventAsync(new { transaction_id = "t", external_subscription_id = "s", code = "c", timestamp = sent })).Ok()["event"]!;
        Assert.StartsWith(shown, (string?)e["timestamp"]);
    }

    [Fact]
    public async Task Listing_is_newest_first_paged_and_filtered_by_subscription_code_and_time()
    {
        var client = await api.NewOrganizationClientAsync();
        await client.EventAsync("s1", "calls", transactionId: "a", timestamp: "2026-01-01T00:00:00Z");
        await client.EventAsync("s1", "gb", transactionId: "b", timestamp: "2026-01-03T00:00:00Z");
        await client.EventAsync("s2", "calls", transactionId: "c", timestamp: "2026-01-02T00:00:00Z");
        await client.EventAsync("s2", "calls", transactionId: "d", timestamp: "2026-01-02T00:00:00Z");

        async Task<string[]> ListAsync(string query) =>
            (await client.GetJsonAsync($"/api/v1/events{query}")).Ok()["events"]!.AsArray().Select(e => (string)e!["transaction_id"]!).ToArray();

        Assert.Equal(["b", "c", "d", "a"], await ListAsync(""));
        Assert.Equal(["a"], await ListAsync("?external_subscription_id=s1&code=calls"));
        Assert.Equal(["c", "d", "a"], await ListAsync("?code=calls"));
        Assert.Equal(["c", "d"], await ListAsync("?timestamp_from=2026-01-02T00:00:00Z&timestamp_to=2026-01-02T12:00:00Z"));
        Assert.Equal(["d", "a"], await ListAsync("?per_page=2&page=2"));
        var meta = (await client.GetJsonAsync("/api/v1/events?per_page=3")).Ok()["meta"]!;
        Assert.Equal("""{"current_page":1,"next_page":2,"prev_page":null,"total_pages":2,"total_count":4}""", meta.ToJsonString());
    }

    [Fact]
    public async Task Listing_from_the_subscription_start_needs_the_subscription()
    {
        var client = await api.NewOrganizationClientAsync();
        var metric = await client.MetricAsync("calls");
        await client.PlanAsync("p", "EUR", UsageSetup.Standard(metric, "1"));
        await client.SubscribeAsync("acme", "sub", "p", "2026-01-10T00:00:00Z");
        await client.EventAsync("sub", "calls", transactionId: "before", timestamp: "2026-01-09T00:00:00Z");
        await client.EventAsync("sub", "calls", transactionId: "after");
        var events = (await client.GetJsonAsync("/api/v1/events?external_subscription_id=sub&timestamp_from_started_at=true")).Ok()["events"]!.AsArray();
        Assert.Equal("after", (string?)Assert.Single(events)!["transaction_id"]);
        (await client.GetJsonAsync("/api/v1/events?timestamp_from_started_at=true")).ExpectLagoValidation("external_subscription_id", "value_is_mandatory");
    }

    [Fact]
    public async Task Another_organizations_events_subscriptions_and_transaction_ids_are_invisible()
    {
        var mine = await api.NewOrganizationClientAsync("mine");
        var theirs = await api.NewOrganizationClientAsync("theirs");
        var metric = await mine.MetricAsync("calls");
        await mine.PlanAsync("p", "EUR", UsageSetup.Standard(metric, "1"));
        await mine.SubscribeAsync("acme", "sub", "p");
        await mine.EventAsync("sub", "calls", transactionId: "shared");

        // Their event names my subscription's external id and my transaction_id: a different event, never my usage.
        var stray = await theirs.EventAsync("sub", "calls", transactionId: "shared");
        Assert.Null(stray["lago_subscription_id"]);
        Assert.Equal(1, (long)(await mine.CurrentUsageAsync("acme", "sub")).ChargeUsage("calls")["events_count"]!);
        Assert.Equal(1, (int)(await theirs.GetJsonAsync("/api/v1/events")).Ok()["meta"]!["total_count"]!);
        Assert.Equal((string?)stray["lago_id"], (string?)(await theirs.GetJsonAsync("/api/v1/events/shared")).Ok()["event"]!["lago_id"]);
        (await theirs.GetJsonAsync("/api/v1/customers/acme/current_usage?external_subscription_id=sub")).ExpectNotFound("customer");
    }
}
