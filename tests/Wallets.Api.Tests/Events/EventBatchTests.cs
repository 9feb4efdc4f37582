using System.Net;
using System.Text.Json.Nodes;
using Wallets.Api.Tests.Infrastructure;

namespace Wallets.Api.Tests.Events;

/// <summary>`POST /events/batch`: up to 100 events, all validated before any is stored, all or nothing.</summary>
public sealed class EventBatchTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private async Task<HttpClient> SubscribedAsync()
    {
        var client = await api.NewOrganizationClientAsync();
        var metric = await client.MetricAsync("gb", "sum_agg");
        await client.PlanAsync("p", "EUR", UsageSetup.Standard(metric, "1"));
        await client.SubscribeAsync("acme", "sub", "p");
        return client;
    }

    private static object Item(string transactionId, object? value = null, string subscription = "sub") =>
        new { transaction_id = transactionId, external_subscription_id = subscription, code = "gb", properties = new { value = value ?? 1 } };

    private static Task<Reply> BatchAsync(HttpClient client, params object[] events) => client.PostAsync("/api/v1/events/batch", new { events });

    private static void ExpectItemErrors(Reply reply, string details) =>
        Assert.Equal($$"""{"status":422,"error":"Unprocessable Entity","code":"validation_errors","error_details":{{details}}}""",
            reply.Expect(HttpStatusCode.UnprocessableEntity).ToJsonString());

    [Fact]
    public async Task A_batch_stores_every_event_adds_them_to_usage_and_answers_them_in_order()
    {
        var client = await SubscribedAsync();
        var events = (await BatchAsync(client, Item("a", 2), Item("b", "3.5"), Item("c", 4))).Ok()["events"]!.AsArray();
        Assert.Equal(["a", "b", "c"], events.Select(e => (string?)e!["transaction_id"]));
        Assert.All(events, e => Assert.NotNull((string?)e!["lago_subscription_id"]));
        var charge = (await client.CurrentUsageAsync("acme", "sub")).ChargeUsage("gb");
        Assert.Equal("9.5", (string?)charge["units"]);
        Assert.Equal(3, (long)charge["events_count"]!);
    }

    [Fact]
    public async Task A_hundred_events_on_one_usage_row_are_one_change_with_every_event_counted()
    {
        var client = await SubscribedAsync();
        (await BatchAsync(client, Enumerable.Range(0, 100).Select(i => Item($"t{i}", i)).ToArray())).Ok();
        var charge = (await client.CurrentUsageAsync("acme", "sub")).ChargeUsage("gb");
        Assert.Equal("4950.0", (string?)charge["units"]);
        Assert.Equal(100, (long)charge["events_count"]!);
    }

    [Theory]
    [InlineData("""{"events":[]}""")]
    [InlineData("""{"events":null}""")]
    [InlineData("""{}""")]
    [InlineData("""{"event":{"transaction_id":"t","external_subscription_id":"s","code":"c"}}""")]
    public async Task No_events_is_lagos_no_events(string body)
    {
        var client = await api.NewOrganizationClientAsync();
        (await api.NoUsageChangeAsync(() => client.PostAsync("/api/v1/events/batch", body))).ExpectLagoValidation("events", "no_events");
    }

    [Fact]
    public async Task More_than_a_hundred_events_is_too_many_events_and_stores_none()
    {
        var client = await SubscribedAsync();
        (await api.NoUsageChangeAsync(() => BatchAsync(client, Enumerable.Range(0, 101).Select(i => Item($"t{i}")).ToArray())))
            .ExpectLagoValidation("events", "too_many_events");
    }

    [Fact]
    public async Task Invalid_items_are_reported_by_index_and_none_of_the_batch_is_stored()
    {
        var client = await SubscribedAsync();
        var reply = await api.NoUsageChangeAsync(() => BatchAsync(client,
            Item("ok"), new { external_subscription_id = "sub", code = "gb" }, Item("ok2"), new { transaction_id = "t", code = "gb", timestamp = "later" }));
        ExpectItemErrors(reply, """{"1":{"transaction_id":["value_is_mandatory"]},"3":{"external_subscription_id":["value_is_mandatory"],"timestamp":["invalid_format"]}}""");
    }

    [Fact]
    public async Task A_duplicate_inside_the_batch_is_value_already_exist_and_none_is_stored()
    {
        var client = await SubscribedAsync();
        var reply = await api.NoUsageChangeAsync(() => BatchAsync(client, Item("a"), Item("a", subscription: "other"), Item("a")));
        ExpectItemErrors(reply, """{"2":{"transaction_id":["value_already_exist"]}}""");
    }

    [Fact]
    public async Task A_batch_carrying_a_stored_transaction_id_is_refused_whole_and_retrying_it_changes_nothing()
    {
        var client = await SubscribedAsync();
        await client.EventAsync("sub", "gb", new { value = 5 }, transactionId: "old");
        var reply = await api.NoUsageChangeAsync(() => BatchAsync(client, Item("new1"), Item("old"), Item("new2")));
        ExpectItemErrors(reply, """{"1":{"transaction_id":["value_already_exist"]}}""");

        var stored = (await BatchAsync(client, Item("new1", 1), Item("new2", 2))).Ok();
        var retried = await api.NoUsageChangeAsync(() => BatchAsync(client, Item("new1", 1), Item("new2", 2)));
        ExpectItemErrors(retried, """{"0":{"transaction_id":["value_already_exist"]},"1":{"transaction_id":["value_already_exist"]}}""");
        Assert.Equal("8.0", (string?)(await client.CurrentUsageAsync("acme", "sub")).ChargeUsage("gb")["units"]);
        Assert.Equal(2, stored["events"]!.AsArray().Count);
    }

    [Fact]
    public async Task Concurrent_batches_sharing_transaction_ids_store_each_event_once()
    {
        var client = await SubscribedAsync();
        var items = Enumerable.Range(0, 50).Select(i => Item($"shared{i}", 1)).ToArray();
        var replies = await Task.WhenAll(Enumerable.Range(0, 6).Select(n => BatchAsync(client, n % 2 == 0 ? items : items.Reverse().ToArray())));
        Assert.Single(replies, r => r.Status == HttpStatusCode.OK);
        Assert.All(replies.Where(r => r.Status != HttpStatusCode.OK), r => Assert.Equal(HttpStatusCode.UnprocessableEntity, r.Status));
        var charge = (await client.CurrentUsageAsync("acme", "sub")).ChargeUsage("gb");
        Assert.Equal(50, (long)charge["events_count"]!);
        Assert.Equal("50.0", (string?)charge["units"]);
    }

    [Fact]
    public async Task An_idempotency_key_replays_a_batch_without_storing_it_twice()
    {
        var client = await SubscribedAsync();
        var body = new { events = new[] { Item("k1", 3) } };
        var first = await client.SendJsonAsync(HttpMethod.Post, "/api/v1/events/batch", body, idempotencyKey: "batch-1");
        var again = await client.SendJsonAsync(HttpMethod.Post, "/api/v1/events/batch", body, idempotencyKey: "batch-1");
        Assert.Equal(first.Ok().ToJsonString(), again.Ok().ToJsonString());
        Assert.Equal("true", again.Message.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal("3.0", (string?)(await client.CurrentUsageAsync("acme", "sub")).ChargeUsage("gb")["units"]);
    }
}
