using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Npgsql;
using Wallets.Api.Tests.Infrastructure;

namespace Wallets.Api.Tests.Webhooks;

/// <summary>The outbox against a real crash: the API process is SIGKILLed right after its writes commit.</summary>
public sealed class WebhookCrashTests : IAsyncLifetime
{
    private const int Writes = 40;
    private string _database = "";

    private static readonly Dictionary<string, string> Settings = new()
    {
        ["Jobs:Enabled"] = "false", ["Webhooks:Enabled"] = "true", ["Webhooks:Issuer"] = "https://crash.test",
        ["Webhooks:Timeout"] = "00:00:01", ["Webhooks:ClaimLease"] = "00:00:02", ["Webhooks:PollInterval"] = "00:00:00.05",
        ["Webhooks:FirstRetryDelay"] = "00:00:00.1", ["Webhooks:MaxRetryDelay"] = "00:00:00.3",
        // Two at a time to a receiver that takes 150 ms each: the kill finds deliveries in flight and most still waiting.
        ["Webhooks:MaxInFlightPerEndpoint"] = "2",
    };

    public async Task InitializeAsync() => _database = await TestDatabase.CreateAsync();

    [Fact]
    public async Task Every_committed_change_is_delivered_once_per_unique_key_after_the_process_is_killed_and_started_again()
    {
        var created = await ApiProcess.RunCommandAsync(_database, "create-organization", "crash");
        var apiKey = Line(created, "API key: ");
        var hmacKey = Line(created, "Webhook HMAC key: ");
        var organizationId = Line(created, "Organization crash (").TrimEnd(')');
        Assert.Equal(hmacKey, (await ApiProcess.RunCommandAsync(_database, "webhook-hmac-key", organizationId)).Trim());
        Assert.Equal(hmacKey, (await ApiProcess.RunCommandAsync(_database, "webhook-hmac-key", "crash")).Trim());

        await using var receiver = await WebhookReceiver.StartAsync();
        var url = receiver.Url("crash", async _ => { await Task.Delay(150); return 200; });
        var first = await ApiProcess.StartAsync(_database, Settings);
        using var client = new HttpClient { BaseAddress = new Uri(first.BaseUrl) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        await client.EndpointAsync(url, algorithm: "hmac", eventTypes: ["customer.created"]);

        await Parallel.ForEachAsync(Enumerable.Range(0, Writes), new ParallelOptions { MaxDegreeOfParallelism = 8 },
            async (i, _) => (await client.PostAsync("/api/v1/customers", new { customer = new { external_id = $"crash_{i}" } })).Ok());
        await first.KillAsync();
        var beforeRestart = receiver.At(url).Select(r => r.UniqueKey).Distinct().Count();
        Assert.True(beforeRestart < Writes, "everything was delivered before the kill: the test proves nothing");

        await using var second = await ApiProcess.StartAsync(_database, Settings);
        var got = await receiver.WaitAsync(url, all => all.Select(r => r.UniqueKey).Distinct().Count() >= Writes, seconds: 30);

        // De-duplicated by X-Lago-Unique-Key: one webhook per committed customer, none missing, none twice under two keys.
        var unique = got.GroupBy(r => r.UniqueKey).Select(g => g.First()).ToList();
        var customers = unique.Select(r => (string)JsonNode.Parse(r.Body)!["customer"]!["external_id"]!).Order().ToList();
        Assert.Equal(Enumerable.Range(0, Writes).Select(i => $"crash_{i}").Order(), customers);
        foreach (var webhook in got) WebhookSignatures.AssertHmac(webhook, hmacKey);
        Assert.True(got.GroupBy(r => r.UniqueKey).All(g => g.Select(r => r.Body).Distinct().Count() == 1));
        await using var connection = new NpgsqlConnection(_database);
        await connection.OpenAsync();
        await using var pending = new NpgsqlCommand("SELECT count(*) FROM webhooks WHERE status <> 'succeeded'", connection);
        for (var until = DateTimeOffset.UtcNow.AddSeconds(10); (long)(await pending.ExecuteScalarAsync())! > 0; await Task.Delay(100))
            Assert.True(DateTimeOffset.UtcNow < until, "deliveries left unrecorded after the restart");
    }

    private static string Line(string output, string prefix) =>
        output.Split('\n').Select(l => l.Trim()).Single(l => l.StartsWith(prefix, StringComparison.Ordinal))[prefix.Length..];

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await TestDatabase.DropAsync(_database);
    }
}
