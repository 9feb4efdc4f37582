using System.Net;
using Wallets.Api.Tests.Infrastructure;

namespace Wallets.Api.Tests.Events;

/// <summary>Single events sent at once are stored together (group commit), each with its own answer.</summary>
public sealed class EventConcurrencyTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private async Task<HttpClient> SubscribedAsync()
    {
        var client = await api.NewOrganizationClientAsync();
        var metric = await client.MetricAsync("gb", "sum_agg");
        await client.PlanAsync("p", "EUR", UsageSetup.Standard(metric, "1"));
        await client.SubscribeAsync("acme", "sub", "p");
        return client;
    }

    [Fact]
    public async Task Parallel_events_with_repeated_transaction_ids_are_each_stored_once_and_the_repeats_refused()
    {
        var client = await SubscribedAsync();
        var sends = Enumerable.Range(0, 60).Select(i => client.SendEventAsync(new
        {
            transaction_id = $"t{i % 20}", external_subscription_id = "sub", code = "gb", properties = new { value = 1 },
        }));
        var replies = await Task.WhenAll(sends);

        Assert.Equal(20, replies.Count(r => r.Status == HttpStatusCode.OK));
        Assert.All(replies.Where(r => r.Status != HttpStatusCode.OK), r => r.ExpectLagoValidation("transaction_id", "value_already_exist"));
        var charge = (await client.CurrentUsageAsync("acme", "sub")).ChargeUsage("gb");
        Assert.Equal(20, (long)charge["events_count"]!);
        Assert.Equal("20.0", (string?)charge["units"]);
    }

    [Fact]
    public async Task Parallel_events_of_two_organizations_never_mix()
    {
        var mine = await SubscribedAsync();
        var theirs = await SubscribedAsync();
        var replies = await Task.WhenAll(Enumerable.Range(0, 40).Select(i =>
            (i % 2 == 0 ? mine : theirs).SendEventAsync(new { transaction_id = $"t{i / 2}", external_subscription_id = "sub", code = "gb", properties = new { value = i % 2 + 1 } })));
        Assert.All(replies, r => r.Ok());
        Assert.Equal("20.0", (string?)(await mine.CurrentUsageAsync("acme", "sub")).ChargeUsage("gb")["units"]);
        Assert.Equal("40.0", (string?)(await theirs.CurrentUsageAsync("acme", "sub")).ChargeUsage("gb")["units"]);
    }

    [Fact]
    public async Task An_idempotency_key_replays_a_single_event_and_stores_it_once()
    {
        var client = await SubscribedAsync();
        var body = new { @event = new { transaction_id = "once", external_subscription_id = "sub", code = "gb", properties = new { value = 5 } } };
        var first = (await client.SendJsonAsync(HttpMethod.Post, "/api/v1/events", body, idempotencyKey: "ev-1")).Ok();
        var again = await client.SendJsonAsync(HttpMethod.Post, "/api/v1/events", body, idempotencyKey: "ev-1");
        Assert.Equal(first.ToJsonString(), again.Ok().ToJsonString());
        Assert.Equal("5.0", (string?)(await client.CurrentUsageAsync("acme", "sub")).ChargeUsage("gb")["units"]);
        // Without the key, the same event is a duplicate, as in Lago.
        (await client.PostAsync("/api/v1/events", body)).ExpectLagoValidation("transaction_id", "value_already_exist");
    }
}
