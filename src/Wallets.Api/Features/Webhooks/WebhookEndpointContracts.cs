using System.Text.Json;
using Wallets.Api.Data;
using Wallets.Api.Http;
using Wallets.Api.Http.OpenApi;

namespace Wallets.Api.Features.Webhooks;

public sealed class WebhookEndpointInput : Input
{
    public string? WebhookUrl { get; init; }
    public string? SignatureAlgo { get; init; }
    public string? Name { get; init; }
    /// <summary>Raw, as Lago checks it: an array of types, null or `["*"]` for all, anything else `must_be_array`.</summary>
    [WireType(typeof(List<string>))] public JsonElement? EventTypes { get; init; }
}

public sealed record WebhookEndpointRequest(WebhookEndpointInput WebhookEndpoint);

public sealed record WebhookEndpointEnvelope(WebhookEndpointView WebhookEndpoint);

public sealed record WebhookEndpointsPage(IReadOnlyList<WebhookEndpointView> WebhookEndpoints, PageMeta Meta);

/// <summary>Lago's `WebhookEndpointObject`.</summary>
public sealed record WebhookEndpointView(
    Guid LagoId, Guid LagoOrganizationId, string WebhookUrl, string SignatureAlgo, string? Name, IReadOnlyList<string>? EventTypes, DateTimeOffset CreatedAt)
{
    public static WebhookEndpointView From(WebhookEndpoint e) =>
        new(e.Id, e.OrganizationId, e.WebhookUrl, e.SignatureAlgo, e.Name, e.EventTypes, e.CreatedAt);
}

public sealed record WebhookPublicKeyEnvelope(WebhookPublicKeyView Webhook);

public sealed record WebhookPublicKeyView(string PublicKey);

public sealed record WebhookEnvelope(WebhookView Webhook);

public sealed record WebhooksPage(IReadOnlyList<WebhookView> Webhooks, PageMeta Meta);

/// <summary>
/// One delivery, as `GET /webhook_endpoints/{id}/webhooks` lists it. `status` is Lago's: `retrying` is a pending
/// delivery that failed at least once.
/// </summary>
public sealed record WebhookView(
    Guid LagoId, Guid LagoWebhookEndpointId, string WebhookType, string ObjectType, string Status, int Attempts, int? HttpStatus,
    string? LastError, DateTimeOffset? LastAttemptAt, DateTimeOffset? NextAttemptAt, [property: WireType(typeof(System.Text.Json.Nodes.JsonObject))] JsonElement Payload, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static WebhookView From(Webhook w) => new(
        w.Id, w.WebhookEndpointId, w.WebhookType, w.ObjectType, StatusOf(w.Status, w.Attempts), w.Attempts, w.HttpStatus, w.LastError,
        w.LastAttemptAt, w.Status == WebhookStatus.Pending ? w.NextAttemptAt : null, JsonSerializer.Deserialize<JsonElement>(w.Payload), w.CreatedAt, w.UpdatedAt);

    public static string StatusOf(string status, int attempts) => status == WebhookStatus.Pending && attempts > 0 ? "retrying" : status;
}
