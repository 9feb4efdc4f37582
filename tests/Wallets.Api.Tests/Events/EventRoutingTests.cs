using Wallets.Api.Tests.Infrastructure;

namespace Wallets.Api.Tests.Events;

/// <summary>
/// Events find their subscription through a per-process cache; these tests change subscriptions behind its back
/// (straight in SQL, as another API replica would) and check that no event is counted on a stale route.
/// </summary>
public sealed class EventRoutingTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private async Task<HttpClient> SubscribedAsync()
    {
        var client = await api.NewOrganizationClientAsync();
        var metric = await client.MetricAsync("calls");
        await client.PlanAsync("p", "EUR", UsageSetup.Standard(metric, "1"));
        await client.SubscribeAsync("acme", "sub", "p", "2025-12-01T00:00:00Z");
        return client;
    }

    private static async Task<long> EventsCountAsync(HttpClient client, string customer, string subscription) =>
        (long)(await client.CurrentUsageAsync(customer, subscription)).ChargeUsage("calls")["events_count"]!;

    [Fact]
    public async Task A_subscription_created_elsewhere_after_its_events_were_refused_starts_counting_at_once()
    {
        var client = await SubscribedAsync();
        var early = await client.EventAsync("sub2", "calls");
        Assert.Null(early["lago_subscription_id"]);
        await api.ScalarAsync<int>("""
            INSERT INTO subscriptions (id, organization_id, customer_id, plan_id, external_id, status, billing_time, subscription_at, started_at, created_at, updated_at)
            SELECT gen_random_uuid(), organization_id, customer_id, plan_id, 'sub2', 'active', 'calendar', subscription_at, started_at, created_at, updated_at
            FROM subscriptions WHERE external_id = 'sub' AND organization_id = (SELECT organization_id FROM events WHERE id = @e)
            RETURNING 1
            """, ("e", Guid.Parse((string)early["lago_id"]!)));

        var late = await client.EventAsync("sub2", "calls");
        Assert.NotNull(late["lago_subscription_id"]);
        Assert.Equal(1, await EventsCountAsync(client, "acme", "sub2"));
    }

    [Fact]
    public async Task A_subscription_terminated_elsewhere_stops_counting_at_once()
    {
        var client = await SubscribedAsync();
        var first = await client.EventAsync("sub", "calls");
        await api.ScalarAsync<int>("""
            UPDATE subscriptions SET status = 'terminated', terminated_at = started_at + interval '1 day' WHERE id = @s RETURNING 1
            """, ("s", Guid.Parse((string)first["lago_subscription_id"]!)));
        var after = await client.EventAsync("sub", "calls");
        Assert.Null(after["lago_subscription_id"]);
        Assert.Equal(1L, await api.ScalarAsync<long>("SELECT sum(events_count)::bigint FROM charge_usage WHERE subscription_id = @s",
            ("s", Guid.Parse((string)first["lago_subscription_id"]!))));
    }

    [Fact]
    public async Task A_customer_deleted_elsewhere_stops_counting_at_once_and_other_changes_keep_the_cache()
    {
        var client = await SubscribedAsync();
        var first = await client.EventAsync("sub", "calls");
        var customer = Guid.Parse((string)first["lago_customer_id"]!);
        const string Version = "SELECT routes_version FROM organizations WHERE id = (SELECT organization_id FROM customers WHERE id = @c)";
        var before = await api.ScalarAsync<long>(Version, ("c", customer));

        // Changes no route holds leave the version, so cached routes stay good.
        await api.ScalarAsync<int>("UPDATE customers SET name = 'Acme Corp' WHERE id = @c RETURNING 1", ("c", customer));
        await api.ScalarAsync<int>("UPDATE subscriptions SET name = 'renamed' WHERE customer_id = @c RETURNING 1", ("c", customer));
        Assert.Equal(before, await api.ScalarAsync<long>(Version, ("c", customer)));
        Assert.NotNull((await client.EventAsync("sub", "calls"))["lago_subscription_id"]);

        await api.ScalarAsync<int>("UPDATE customers SET deleted_at = now() WHERE id = @c RETURNING 1", ("c", customer));
        Assert.True(await api.ScalarAsync<long>(Version, ("c", customer)) > before);
        var after = await client.EventAsync("sub", "calls");
        Assert.Null(after["lago_subscription_id"]);
        Assert.Equal(2L, await api.ScalarAsync<long>("SELECT sum(events_count)::bigint FROM charge_usage WHERE subscription_id = @s",
            ("s", Guid.Parse((string)first["lago_subscription_id"]!))));
    }

    [Fact]
    public async Task A_time_zone_changed_elsewhere_puts_the_next_event_in_the_right_period()
    {
        var client = await SubscribedAsync();
        var first = await client.EventAsync("sub", "calls");
        await api.ScalarAsync<int>("UPDATE customers SET timezone = 'Asia/Tokyo' WHERE id = @c RETURNING 1",
            ("c", Guid.Parse((string)first["lago_customer_id"]!)));
        // 20:00 UTC on January 31st is already February 1st in Tokyo.
        await client.EventAsync("sub", "calls", timestamp: "2026-01-31T20:00:00Z");

        api.Clock.Advance(TimeSpan.FromDays(17));
        try
        {
            Assert.Equal(1, await EventsCountAsync(client, "acme", "sub"));
        }
        finally
        {
            api.Clock.Advance(-TimeSpan.FromDays(17));
        }
    }

    [Fact]
    public async Task A_batch_mixing_known_unknown_and_changed_subscriptions_counts_each_event_where_it_belongs()
    {
        var client = await SubscribedAsync();
        await client.SubscribeAsync("acme", "other", "p", "2025-12-01T00:00:00Z");
        await client.EventAsync("sub", "calls");
        await client.EventAsync("other", "calls");
        await api.ScalarAsync<int>("UPDATE subscriptions SET status = 'terminated', terminated_at = started_at + interval '1 day' WHERE external_id = 'other' RETURNING 1");

        var items = new[] { "sub", "other", "nobody", "sub" }.Select((s, i) => new { transaction_id = $"b{i}", external_subscription_id = s, code = "calls" });
        var events = (await client.PostAsync("/api/v1/events/batch", new { events = items })).Ok()["events"]!.AsArray();
        Assert.Equal([true, false, false, true], events.Select(e => e!["lago_subscription_id"] is not null));
        Assert.Equal(3, await EventsCountAsync(client, "acme", "sub"));
    }
}
