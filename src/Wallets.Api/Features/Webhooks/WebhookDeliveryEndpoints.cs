using Microsoft.EntityFrameworkCore;
using Wallets.Api.Data;
using Wallets.Api.Http;
using Wallets.Api.Http.OpenApi;

namespace Wallets.Api.Features.Webhooks;

/// <summary>Beyond Lago: an endpoint's deliveries (newest first, by status) and sending one again now.</summary>
public static class WebhookDeliveryEndpoints
{
    private const int MaxPerPage = 100;
    private static readonly string[] Statuses = ["pending", "retrying", "succeeded", "failed"];

    public static RouteGroupBuilder MapWebhookDeliveryEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/webhook_endpoints/{lago_id}/webhooks", FindAllWebhooks).WithTags("Webhook endpoints").WithName("findAllWebhooks")
            .WithQuery("status", "`pending`, `retrying`, `succeeded` or `failed`.").Produces<WebhooksPage>();
        api.MapPost("/webhooks/{lago_id}/retry", RetryWebhook).WithTags("Webhooks").WithName("retryWebhook").Produces<WebhookEnvelope>();
        return api;
    }

    /// <summary>An endpoint's deliveries, newest first, with their status, attempts, last HTTP status and error (`status` filters).</summary>
    private static async Task<IResult> FindAllWebhooks(string lago_id, HttpRequest request, WalletsDbContext db, CancellationToken ct)
    {
        if (!Guid.TryParse(lago_id, out var id) || !await db.WebhookEndpoints.AnyAsync(e => e.Id == id, ct))
            return LagoError.NotFound("webhook_endpoint").ToResult();
        var status = request.Query["status"].ToString();
        if (status.Length > 0 && !Statuses.Contains(status)) return LagoError.Validation("status", "value_is_invalid").ToResult();

        var query = db.Webhooks.AsNoTracking().Where(w => w.WebhookEndpointId == id);
        query = status switch
        {
            "pending" => query.Where(w => w.Status == WebhookStatus.Pending && w.Attempts == 0),
            "retrying" => query.Where(w => w.Status == WebhookStatus.Pending && w.Attempts > 0),
            "" => query,
            _ => query.Where(w => w.Status == status),
        };
        var paging = PageRequest.From(request);
        var page = await (paging with { PerPage = Math.Min(paging.PerPage, MaxPerPage) })
            .ToPageAsync(query.OrderByDescending(w => w.CreatedAt).ThenByDescending(w => w.Id), ct);
        return Results.Json(new WebhooksPage(page.Rows.Select(WebhookView.From).ToList(), page.Meta), LagoJson.Options);
    }

    /// <summary>Sends a delivery again now, whatever its state.</summary>
    // A delivery still in flight elsewhere loses its claim (its outcome is not recorded).
    private static async Task<IResult> RetryWebhook(string lago_id, WalletsDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var webhook = Guid.TryParse(lago_id, out var id) ? await db.Webhooks.FirstOrDefaultAsync(w => w.Id == id, ct) : null;
        if (webhook is null) return LagoError.NotFound("webhook").ToResult();
        webhook.Status = WebhookStatus.Pending;
        webhook.NextAttemptAt = webhook.UpdatedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(ct);
        return Results.Json(new WebhookEnvelope(WebhookView.From(webhook)), LagoJson.Options);
    }
}
