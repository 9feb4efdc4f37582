using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Wallets.Api.Jobs;
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

    [Fact]
    public async Task Parallel_batches_on_the_same_subscriptions_add_up_exactly_across_usage_shards()
    {
        var client = await SubscribedAsync();
        var callsMetric = await client.MetricAsync("calls");
        var maxMetric = await client.MetricAsync("peak", "max_agg");
        await client.PlanAsync("p2", "EUR", UsageSetup.Standard(callsMetric, "1"), UsageSetup.Standard(maxMetric, "1"));
        await client.SubscribeAsync("acme", "sub2", "p2");

        // 16 batches at once, each with 25 events on each subscription: every batch touches the same usage rows.
        var batches = Enumerable.Range(0, 16).Select(b => client.PostAsync("/api/v1/events/batch", new
        {
            events = Enumerable.Range(0, 25).SelectMany(i => new object[]
            {
                new { transaction_id = $"gb-{b}-{i}", external_subscription_id = "sub", code = "gb", properties = new { value = 2 } },
                new { transaction_id = $"calls-{b}-{i}", external_subscription_id = "sub2", code = "calls" },
                new { transaction_id = $"peak-{b}-{i}", external_subscription_id = "sub2", code = "peak", properties = new { value = b * 100 + i } },
            }).ToArray(),
        }));
        Assert.All(await Task.WhenAll(batches), r => r.Ok());

        var gb = (await client.CurrentUsageAsync("acme", "sub")).ChargeUsage("gb");
        Assert.Equal("800.0", (string?)gb["units"]);
        Assert.Equal(400, (long)gb["events_count"]!);
        var usage = await client.CurrentUsageAsync("acme", "sub2");
        Assert.Equal("400.0", (string?)usage.ChargeUsage("calls")["units"]);
        Assert.Equal("1524.0", (string?)usage.ChargeUsage("peak")["units"]);
        Assert.Equal(400, (long)usage.ChargeUsage("peak")["events_count"]!);
        // max_agg is never split: one usage row.
        Assert.Equal(1L, await api.ScalarAsync<long>(
            "SELECT count(*) FROM charge_usage u JOIN charges c ON c.id = u.charge_id WHERE c.billable_metric_id = @m::uuid", ("m", maxMetric)));
    }

    [Fact]
    public async Task Folding_usage_shards_while_batches_arrive_loses_and_doubles_nothing()
    {
        var client = await SubscribedAsync();
        // A fold job an hour ahead: every shard counts as quiet, including those being written right now.
        var fold = new UsageShardFoldJob(api.Services.GetRequiredService<NpgsqlDataSource>(), new ManualClock(api.Clock.GetUtcNow().AddHours(1)),
            NullLogger<UsageShardFoldJob>.Instance);
        using var stop = new CancellationTokenSource();
        var folding = Task.Run(async () =>
        {
            var folded = 0;
            while (!stop.IsCancellationRequested) folded += await fold.RunOnceAsync(CancellationToken.None);
            return folded;
        });

        var batches = Enumerable.Range(0, 24).Select(b => client.PostAsync("/api/v1/events/batch", new
        {
            events = Enumerable.Range(0, 50).Select(i => new { transaction_id = $"gb-{b}-{i}", external_subscription_id = "sub", code = "gb", properties = new { value = 3 } }).ToArray(),
        }));
        Assert.All(await Task.WhenAll(batches), r => r.Ok());
        await stop.CancelAsync();
        await folding;
        await fold.RunOnceAsync(CancellationToken.None);

        var gb = (await client.CurrentUsageAsync("acme", "sub")).ChargeUsage("gb");
        Assert.Equal("3600.0", (string?)gb["units"]);
        Assert.Equal(1200, (long)gb["events_count"]!);
        // Every shard was folded into shard 0. (Tests of a class run one at a time: the latest subscription is this one.)
        Assert.Equal("0", await api.ScalarAsync<string>("""
            SELECT string_agg(shard::text, ',') FROM charge_usage
            WHERE subscription_id = (SELECT id FROM subscriptions WHERE external_id = 'sub' ORDER BY created_at DESC LIMIT 1)
            """));
    }
}
