using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Wallets.Api.Jobs;
using Wallets.Api.Tests.Infrastructure;
using Wallets.Api.Tests.Webhooks;

namespace Wallets.Api.Tests.Holds;

/// <summary>`hold.*` webhooks, received by a real endpoint, each carrying the hold as the API returned it.</summary>
public sealed class HoldWebhookTests(WebhookApiFactory api) : IClassFixture<WebhookApiFactory>
{
    [Fact]
    public async Task Each_change_of_a_hold_sends_its_webhook_with_the_hold_the_API_answered()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var client = await api.NewOrganizationClientAsync();
        var endpoint = await client.EndpointAsync(receiver.Url("holds"), eventTypes: ["hold.created", "hold.captured", "hold.released", "hold.expired"]);
        var wallet = await client.CustomerWithWalletAsync("hooked", ("granted_credits", "10"));

        var captured = await client.HeldAsync(wallet, "3", "captured");
        var released = await client.HeldAsync(wallet, "2", "released");
        // Seconds ahead: the create must still see it in the future on a busy machine.
        var expiresAt = DateTimeOffset.UtcNow.AddSeconds(5);
        var expiring = await client.HeldAsync(wallet, "1", "expiring", expiresAt);
        var capture = (await client.CaptureAsync(captured.Id(), "2.5")).Ok()["hold"]!;
        var release = (await client.ReleaseAsync(released.Id())).Ok()["hold"]!;
        // The receiver waits for the hold's expiry instant to pass on the real clock, then the job records it.
        await receiver.WaitAsync(endpoint.Url, _ => DateTimeOffset.UtcNow > expiresAt.AddSeconds(1), seconds: 60);
        Assert.Equal(1, await api.Services.GetRequiredService<HoldExpiryJob>().RunOnceAsync(default));
        var expired = await client.GetHoldAsync(expiring.Id());

        var got = (await receiver.WaitForAsync(endpoint.Url, 6, seconds: 60)).Select(r => JsonNode.Parse(r.Body)!).ToList();
        Assert.Equal(6, got.Count);
        Assert.All(got, w => Assert.Equal("hold", (string?)w["object_type"]));
        foreach (var (type, hold) in new[] { ("hold.created", captured), ("hold.created", released), ("hold.created", expiring),
                     ("hold.captured", capture), ("hold.released", release), ("hold.expired", expired) })
        {
            var sent = Assert.Single(got, w => (string?)w["webhook_type"] == type && (string?)w["hold"]!["lago_id"] == hold.Id());
            Assert.True(JsonNode.DeepEquals(hold, sent["hold"]), $"{type}: {sent.ToJsonString()} vs {hold.ToJsonString()}");
        }
    }
}
