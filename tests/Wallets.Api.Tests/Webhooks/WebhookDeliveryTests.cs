using System.Text.Json.Nodes;
using Wallets.Api.Tests.Infrastructure;

namespace Wallets.Api.Tests.Webhooks;

/// <summary>Delivery to a real HTTP receiver: signatures, retries, the type filter, and isolation between endpoints.</summary>
public sealed class WebhookDeliveryTests(WebhookApiFactory api) : IClassFixture<WebhookApiFactory>
{
    [Fact]
    public async Task Each_webhook_is_signed_as_its_endpoint_says_and_checks_with_the_published_key_or_the_organizations_hmac_key()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var (client, organizationId) = await OrganizationAsync();
        var jwt = await client.EndpointAsync(receiver.Url("signed/jwt"));
        var hmac = await client.EndpointAsync(receiver.Url("signed/hmac"), algorithm: "hmac");

        await client.CustomerAsync("cus_signed");

        var viaJwt = (await receiver.WaitForAsync(jwt.Url, 1)).Single();
        var viaHmac = (await receiver.WaitForAsync(hmac.Url, 1)).Single();
        using var publicKey = await WebhookSignatures.PublicKeyAsync(client);
        await WebhookSignatures.AssertJwtAsync(viaJwt, publicKey, WebhookApiFactory.Issuer);
        WebhookSignatures.AssertHmac(viaHmac, await api.ScalarAsync<string>($"SELECT hmac_key FROM organizations WHERE id = '{organizationId}'"));
        foreach (var got in new[] { viaJwt, viaHmac })
        {
            var body = JsonNode.Parse(got.Body)!;
            Assert.Equal(("customer.created", "customer", organizationId), ((string?)body["webhook_type"], (string?)body["object_type"], (string?)body["organization_id"]));
            Assert.Equal("cus_signed", (string?)body["customer"]!["external_id"]);
        }
        Assert.NotEqual(viaJwt.UniqueKey, viaHmac.UniqueKey);

        var listed = await DeliveriesAsync(client, jwt.Id);
        var delivery = Assert.Single(listed);
        Assert.Equal((viaJwt.UniqueKey, "succeeded", 1, 200), ((string)delivery["lago_id"]!, (string)delivery["status"]!, (int)delivery["attempts"]!, (int)delivery["http_status"]!));
        Assert.Equal("customer.created", (string?)delivery["payload"]!["webhook_type"]);
    }

    [Fact]
    public async Task Failed_attempts_are_retried_with_the_same_unique_key_after_500s_and_timeouts_until_one_succeeds()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var (client, _) = await OrganizationAsync();
        var errors = await client.EndpointAsync(receiver.Url("retry/500", attempt => Task.FromResult(attempt <= 2 ? 500 : 200)));
        var slow = await client.EndpointAsync(receiver.Url("retry/slow", async attempt => { if (attempt == 1) await Task.Delay(2500); return 200; }));
        var down = await client.EndpointAsync(receiver.Url("retry/down", _ => Task.FromResult(503)));

        await client.CustomerAsync("cus_retry");

        var fromErrors = await receiver.WaitForAsync(errors.Url, 3);
        Assert.Single(fromErrors.Select(r => r.UniqueKey).Distinct());
        var fromSlow = await receiver.WaitForAsync(slow.Url, 2);
        Assert.Single(fromSlow.Select(r => r.UniqueKey).Distinct());
        await receiver.WaitForAsync(down.Url, 3);

        var recovered = await WaitDeliveryAsync(client, errors.Id, d => (string?)d["status"] == "succeeded");
        Assert.Equal((3, 200), ((int)recovered["attempts"]!, (int)recovered["http_status"]!));
        Assert.Equal(fromErrors[0].UniqueKey, (string?)recovered["lago_id"]);
        var timedOut = await WaitDeliveryAsync(client, slow.Id, d => (string?)d["status"] == "succeeded");
        Assert.Equal(2, (int)timedOut["attempts"]!);
        var failing = await WaitDeliveryAsync(client, down.Id, d => (int)d["attempts"]! >= 2 && d["http_status"] is not null);
        Assert.Equal(("retrying", 503), ((string?)failing["status"], (int)failing["http_status"]!));
        Assert.StartsWith("HTTP 503", (string?)failing["last_error"]);
        Assert.NotNull(failing["next_attempt_at"]);
        Assert.Single(await DeliveriesAsync(client, down.Id, "?status=retrying"));
        Assert.Empty(await DeliveriesAsync(client, down.Id, "?status=succeeded"));
        (await client.GetJsonAsync($"/api/v1/webhook_endpoints/{down.Id}/webhooks?status=lost")).ExpectValidation("status", "value_is_invalid");
    }

    [Fact]
    public async Task An_endpoint_gets_only_the_types_it_subscribes_to()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var (client, _) = await OrganizationAsync();
        var everything = await client.EndpointAsync(receiver.Url("filter/all"));
        var updates = await client.EndpointAsync(receiver.Url("filter/updates"), eventTypes: ["customer.updated"]);
        var none = await client.EndpointAsync(receiver.Url("filter/none"), eventTypes: []);

        await client.CustomerAsync("cus_filter");
        await client.PostAsync("/api/v1/customers", new { customer = new { external_id = "cus_filter", name = "Renamed" } });

        var all = await receiver.WaitForAsync(everything.Url, 2);
        Assert.Equal(["customer.created", "customer.updated"], all.Select(r => (string)JsonNode.Parse(r.Body)!["webhook_type"]!).Order());
        var onlyUpdates = await receiver.WaitForAsync(updates.Url, 1);
        Assert.Equal("Renamed", (string?)JsonNode.Parse(Assert.Single(onlyUpdates).Body)!["customer"]!["name"]);
        Assert.Empty(receiver.At(none.Url));
        Assert.Empty(await DeliveriesAsync(client, none.Id));
    }

    [Fact]
    public async Task A_dead_endpoint_delays_no_other_endpoint()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var (client, _) = await OrganizationAsync();
        var dead = await client.EndpointAsync(receiver.Url("isolation/dead", async _ => { await Task.Delay(5000); return 200; }));
        var live = await client.EndpointAsync(receiver.Url("isolation/live"));

        for (var i = 0; i < 25; i++) await client.CustomerAsync($"cus_iso_{i}");

        var got = await receiver.WaitForAsync(live.Url, 25, seconds: 30);
        // Isolation by order, not by a stopwatch: the dead endpoint's 25 deliveries need 25 timeouts of 1 s, four at a
        // time, and most of them are still waiting when the live endpoint already has all of its own.
        var deadPending = await api.ScalarAsync<long>($"SELECT count(*) FROM webhooks WHERE webhook_endpoint_id = '{dead.Id}' AND status = 'pending'");
        Assert.Equal(25, got.Select(r => r.UniqueKey).Distinct().Count());
        Assert.True(deadPending > 10, $"the dead endpoint had only {deadPending} deliveries left when the live one had all 25");
    }

    [Fact]
    public async Task Retry_sends_a_delivered_webhook_again_at_once_with_its_unique_key()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var (client, _) = await OrganizationAsync();
        var endpoint = await client.EndpointAsync(receiver.Url("manual/retry"));
        await client.CustomerAsync("cus_manual");
        var first = (await receiver.WaitForAsync(endpoint.Url, 1)).Single();
        await WaitDeliveryAsync(client, endpoint.Id, d => (string?)d["status"] == "succeeded");

        var retried = (await client.PostAsync($"/api/v1/webhooks/{first.UniqueKey}/retry", new { })).Ok()["webhook"]!;
        Assert.Equal("retrying", (string?)retried["status"]);
        var again = await receiver.WaitForAsync(endpoint.Url, 2);
        Assert.Equal(first.UniqueKey, again[1].UniqueKey);
        Assert.Equal(first.Body, again[1].Body);
        var delivered = await WaitDeliveryAsync(client, endpoint.Id, d => (string?)d["status"] == "succeeded" && (int)d["attempts"]! == 2);
        Assert.Equal(200, (int)delivered["http_status"]!);
        (await client.PostAsync($"/api/v1/webhooks/{Guid.NewGuid()}/retry", new { })).ExpectNotFound("webhook");
        var other = await api.NewOrganizationClientAsync();
        (await other.PostAsync($"/api/v1/webhooks/{first.UniqueKey}/retry", new { })).ExpectNotFound("webhook");
        (await other.GetJsonAsync($"/api/v1/webhook_endpoints/{endpoint.Id}/webhooks")).ExpectNotFound("webhook_endpoint");
    }

    [Fact]
    public async Task The_retention_job_deletes_finished_deliveries_past_their_time_and_keeps_pending_ones()
    {
        var (client, organizationId) = await OrganizationAsync();
        var endpoint = await client.EndpointAsync("http://127.0.0.1:9/never");
        await client.CustomerAsync("cus_old_1");
        await client.CustomerAsync("cus_old_2");
        await api.ScalarAsync<int>($"""
            WITH d AS (UPDATE webhooks SET status = 'succeeded', next_attempt_at = NULL, updated_at = now() - interval '15 days'
                       WHERE id = (SELECT id FROM webhooks WHERE organization_id = '{organizationId}' ORDER BY created_at LIMIT 1) RETURNING 1)
            SELECT count(*)::int FROM d
            """);
        await api.ScalarAsync<int>($"UPDATE webhooks SET updated_at = now() - interval '15 days' WHERE organization_id = '{organizationId}' AND status = 'pending' RETURNING 1");

        var job = (global::Wallets.Api.Jobs.WebhookRetentionJob)api.Services.GetService(typeof(global::Wallets.Api.Jobs.WebhookRetentionJob))!;
        Assert.True(await job.RunOnceAsync(default) >= 1);
        Assert.Equal(1L, await api.ScalarAsync<long>($"SELECT count(*) FROM webhooks WHERE organization_id = '{organizationId}'"));
        Assert.Single(await DeliveriesAsync(client, endpoint.Id));
    }

    private async Task<(HttpClient Client, string OrganizationId)> OrganizationAsync()
    {
        var client = await api.NewOrganizationClientAsync();
        var probe = (await client.PostAsync("/api/v1/webhook_endpoints", new { webhook_endpoint = new { webhook_url = "https://probe.example" } })).Ok()["webhook_endpoint"]!;
        (await client.DeleteJsonAsync($"/api/v1/webhook_endpoints/{probe.Id()}")).Ok();
        return (client, (string)probe["lago_organization_id"]!);
    }

    private static async Task<List<JsonNode>> DeliveriesAsync(HttpClient client, string endpointId, string query = "") =>
        (await client.GetJsonAsync($"/api/v1/webhook_endpoints/{endpointId}/webhooks{query}")).Ok()["webhooks"]!.AsArray().Select(w => w!).ToList();

    private static async Task<JsonNode> WaitDeliveryAsync(HttpClient client, string endpointId, Func<JsonNode, bool> done)
    {
        var until = DateTimeOffset.UtcNow.AddSeconds(15);
        while (true)
        {
            var latest = (await DeliveriesAsync(client, endpointId)).FirstOrDefault();
            if (latest is not null && done(latest)) return latest;
            if (DateTimeOffset.UtcNow > until) throw new Xunit.Sdk.XunitException($"delivery not as expected: {latest?.ToJsonString()}");
            await Task.Delay(50);
        }
    }
}

public sealed record TestEndpoint(string Id, string Url);

public static class WebhookSetup
{
    public static async Task<TestEndpoint> EndpointAsync(this HttpClient client, string url, string algorithm = "jwt", string[]? eventTypes = null)
    {
        var created = (await client.PostAsync("/api/v1/webhook_endpoints",
            new { webhook_endpoint = new { webhook_url = url, signature_algo = algorithm, event_types = eventTypes } })).Ok()["webhook_endpoint"]!;
        return new TestEndpoint(created.Id(), url);
    }
}
