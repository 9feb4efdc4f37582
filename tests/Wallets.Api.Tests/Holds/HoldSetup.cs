using System.Text.Json.Nodes;
using Wallets.Api.Tests.Infrastructure;

namespace Wallets.Api.Tests.Holds;

/// <summary>Short ways to hold, capture and release credits, each answering the raw reply.</summary>
public static class HoldSetup
{
    public static Task<Reply> HoldAsync(this HttpClient client, string walletId, string credits, string externalId,
        DateTimeOffset? expiresAt = null, Dictionary<string, string?>? metadata = null) =>
        client.PostAsync($"/api/v1/wallets/{walletId}/holds", new
        {
            hold = new { credits, external_id = externalId, expires_at = expiresAt?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"), metadata },
        });

    /// <summary>A hold that must succeed; returns the hold object.</summary>
    public static async Task<JsonNode> HeldAsync(this HttpClient client, string walletId, string credits, string externalId, DateTimeOffset? expiresAt = null) =>
        (await client.HoldAsync(walletId, credits, externalId, expiresAt)).Ok()["hold"]!;

    /// <summary>Captures <paramref name="credits"/>, or (null) sends no body: all of it.</summary>
    public static async Task<Reply> CaptureAsync(this HttpClient client, string holdId, string? credits = null) =>
        credits is null
            ? await Reply.From(await client.PostAsync($"/api/v1/holds/{holdId}/capture", null))
            : await client.PostAsync($"/api/v1/holds/{holdId}/capture", new { hold = new { credits } });

    public static async Task<Reply> ReleaseAsync(this HttpClient client, string holdId) =>
        await Reply.From(await client.PostAsync($"/api/v1/holds/{holdId}/release", null));

    public static async Task<JsonNode> GetHoldAsync(this HttpClient client, string holdId) =>
        (await client.GetJsonAsync($"/api/v1/holds/{holdId}")).Ok()["hold"]!;

    public static string Text(this JsonNode node, string field) => (string)node[field]!;
}
