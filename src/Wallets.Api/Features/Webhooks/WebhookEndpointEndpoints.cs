using Microsoft.EntityFrameworkCore;
using Wallets.Api.Data;
using Wallets.Api.Http;

namespace Wallets.Api.Features.Webhooks;

/// <summary>Lago's `/webhook_endpoints` and `/webhooks/*public_key`.</summary>
public static class WebhookEndpointEndpoints
{
    public static RouteGroupBuilder MapWebhookEndpointEndpoints(this RouteGroupBuilder api)
    {
        var endpoints = api.MapGroup("/webhook_endpoints").WithTags("Webhook endpoints");
        endpoints.MapPost("/", CreateWebhookEndpoint).WithName("createWebhookEndpoint").Accepts<WebhookEndpointRequest>("application/json").Produces<WebhookEndpointEnvelope>();
        endpoints.MapGet("/", FindAllWebhookEndpoints).WithName("findAllWebhookEndpoints").Produces<WebhookEndpointsPage>();
        endpoints.MapGet("/{lago_id}", FindWebhookEndpoint).WithName("findWebhookEndpoint").Produces<WebhookEndpointEnvelope>();
        endpoints.MapPut("/{lago_id}", UpdateWebhookEndpoint).WithName("updateWebhookEndpoint").Accepts<WebhookEndpointRequest>("application/json").Produces<WebhookEndpointEnvelope>();
        endpoints.MapDelete("/{lago_id}", DestroyWebhookEndpoint).WithName("destroyWebhookEndpoint").Produces<WebhookEndpointEnvelope>();

        var webhooks = api.MapGroup("/webhooks").WithTags("Webhooks");
        webhooks.MapGet("/public_key", FetchPublicKey).WithName("fetchPublicKey").Produces<string>(contentType: "text/plain");
        webhooks.MapGet("/json_public_key", FetchJsonPublicKey).WithName("fetchJsonPublicKey").Produces<WebhookPublicKeyEnvelope>();
        return api;
    }

    private static WebhookEndpointEnvelope Envelope(WebhookEndpoint e) => new(WebhookEndpointView.From(e));

    /// <summary>Registers a webhook endpoint (at most 10 per organization).</summary>
    private static async Task<IResult> CreateWebhookEndpoint(HttpRequest request, WebhookEndpointHandler handler, CancellationToken ct)
    {
        var input = await LagoBody.ReadAsync<WebhookEndpointInput>(request, "webhook_endpoint");
        return input.IsOk ? (await handler.CreateAsync(input.Value!, ct)).ToHttp(Envelope) : input.Error!.ToResult();
    }

    /// <summary>Lists the organization's webhook endpoints.</summary>
    private static async Task<IResult> FindAllWebhookEndpoints(HttpRequest request, WalletsDbContext db, CancellationToken ct)
    {
        var page = await PageRequest.From(request).ToPageAsync(
            db.WebhookEndpoints.OrderBy(e => e.WebhookUrl).ThenByDescending(e => e.CreatedAt).ThenBy(e => e.Id), ct);
        return Results.Json(new WebhookEndpointsPage(page.Rows.Select(WebhookEndpointView.From).ToList(), page.Meta), LagoJson.Options);
    }

    /// <summary>A webhook endpoint by its id.</summary>
    private static async Task<IResult> FindWebhookEndpoint(string lago_id, WalletsDbContext db, CancellationToken ct)
    {
        var endpoint = Guid.TryParse(lago_id, out var id) ? await db.WebhookEndpoints.FirstOrDefaultAsync(e => e.Id == id, ct) : null;
        return endpoint is null ? LagoError.NotFound("webhook_endpoint").ToResult() : Results.Json(Envelope(endpoint), LagoJson.Options);
    }

    /// <summary>Changes a webhook endpoint's URL, name, signature algorithm or event types.</summary>
    private static async Task<IResult> UpdateWebhookEndpoint(string lago_id, HttpRequest request, WebhookEndpointHandler handler, CancellationToken ct)
    {
        if (!Guid.TryParse(lago_id, out var id)) return LagoError.NotFound("webhook_endpoint").ToResult();
        var input = await LagoBody.ReadAsync<WebhookEndpointInput>(request, "webhook_endpoint");
        return input.IsOk ? (await handler.UpdateAsync(id, input.Value!, ct)).ToHttp(Envelope) : input.Error!.ToResult();
    }

    /// <summary>Deletes a webhook endpoint; its pending deliveries are dropped.</summary>
    private static async Task<IResult> DestroyWebhookEndpoint(string lago_id, WebhookEndpointHandler handler, CancellationToken ct) =>
        Guid.TryParse(lago_id, out var id)
            ? (await handler.DeleteAsync(id, ct)).ToHttp(Envelope)
            : LagoError.NotFound("webhook_endpoint").ToResult();

    /// <summary>The RSA public key that checks `X-Lago-Signature` JWTs, base64 of its PEM.</summary>
    private static async Task<IResult> FetchPublicKey(WebhookSigningKeys keys, CancellationToken ct) =>
        Results.Text(await keys.PublicKeyBase64Async(ct), "text/plain");

    /// <summary>The same public key, in a JSON body.</summary>
    private static async Task<IResult> FetchJsonPublicKey(WebhookSigningKeys keys, CancellationToken ct) =>
        Results.Json(new WebhookPublicKeyEnvelope(new WebhookPublicKeyView(await keys.PublicKeyBase64Async(ct))), LagoJson.Options);
}
