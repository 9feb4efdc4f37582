using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Wallets.Api.Data;
using Wallets.Api.Http;

namespace Wallets.Api.Features.Webhooks;

/// <summary>Lago's WebhookEndpoints create, update and destroy services, with their validations and codes.</summary>
public sealed class WebhookEndpointHandler(WalletsDbContext db, Tenant tenant, RequestTransaction request, TimeProvider clock)
{
    public const int Limit = 10;
    // Lago's message for an 11th endpoint (its locale's text for `exceeded_limit` on `base`).
    public const string ExceededLimit = "Maximum number of webhook endpoints was reached";
    private static readonly string[] Algorithms = ["jwt", "hmac"];

    public async Task<Result<WebhookEndpoint>> CreateAsync(WebhookEndpointInput input, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var endpoint = new WebhookEndpoint
        {
            Id = Ids.New(), OrganizationId = tenant.OrganizationId, WebhookUrl = input.WebhookUrl ?? "", SignatureAlgo = input.SignatureAlgo ?? "jwt",
            Name = input.Name, CreatedAt = now, UpdatedAt = now,
        };
        return await SaveAsync(endpoint, input, creating: true, ct);
    }

    public async Task<Result<WebhookEndpoint>> UpdateAsync(Guid id, WebhookEndpointInput input, CancellationToken ct)
    {
        var endpoint = await db.WebhookEndpoints.FirstOrDefaultAsync(e => e.Id == id, ct);
        if (endpoint is null) return LagoError.NotFound("webhook_endpoint");
        if (input.Has("webhook_url")) endpoint.WebhookUrl = input.WebhookUrl ?? "";
        if (input.Has("signature_algo")) endpoint.SignatureAlgo = input.SignatureAlgo ?? "";
        if (input.Has("name")) endpoint.Name = input.Name;
        endpoint.UpdatedAt = clock.GetUtcNow();
        return await SaveAsync(endpoint, input, creating: false, ct);
    }

    /// <summary>Its deliveries go with it (ON DELETE CASCADE), as Lago's `dependent: :delete_all`.</summary>
    public async Task<Result<WebhookEndpoint>> DeleteAsync(Guid id, CancellationToken ct)
    {
        var endpoint = await db.WebhookEndpoints.FirstOrDefaultAsync(e => e.Id == id, ct);
        if (endpoint is null) return LagoError.NotFound("webhook_endpoint");
        db.WebhookEndpoints.Remove(endpoint);
        await db.SaveChangesAsync(ct);
        return endpoint;
    }

    private async Task<Result<WebhookEndpoint>> SaveAsync(WebhookEndpoint endpoint, WebhookEndpointInput input, bool creating, CancellationToken ct)
    {
        var errors = new Dictionary<string, List<string>>();
        void Add(string field, string code) => (errors.TryGetValue(field, out var list) ? list : errors[field] = []).Add(code);

        if (string.IsNullOrWhiteSpace(endpoint.WebhookUrl)) Add("webhook_url", "value_is_mandatory");
        if (!IsHttpUrl(endpoint.WebhookUrl)) Add("webhook_url", "url_is_invalid");
        else if (endpoint.WebhookUrl.Length > 2048) Add("webhook_url", "value_is_too_long");
        if (!Algorithms.Contains(endpoint.SignatureAlgo)) Add("signature_algo", "value_is_invalid");
        if (endpoint.Name?.Length > 255) Add("name", "value_is_too_long");
        if (creating || input.Has("event_types"))
        {
            var types = EventTypes(input.EventTypes, out var problem);
            if (problem is not null) Add("event_types", problem);
            else endpoint.EventTypes = types;
        }

        await using var tx = await request.BeginOrJoinAsync(ct);
        // Creates in one organization are serialized, so two racing requests cannot both be the 10th.
        var lockName = $"webhook_endpoints:{tenant.OrganizationId}";
        await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock(hashtextextended({lockName}, 0))", ct);
        if (creating && await db.WebhookEndpoints.CountAsync(ct) >= Limit) Add("base", ExceededLimit);
        if (!errors.ContainsKey("webhook_url") && await db.WebhookEndpoints.AnyAsync(e => e.WebhookUrl == endpoint.WebhookUrl && e.Id != endpoint.Id, ct))
            Add("webhook_url", "value_already_exist");
        if (errors.Count > 0)
        {
            // Nothing of a refused change may be saved by whatever shares this context (an idempotent request's save).
            db.ChangeTracker.Clear();
            return LagoError.Validation(errors.ToDictionary(e => e.Key, e => e.Value.ToArray()));
        }

        if (creating) db.WebhookEndpoints.Add(endpoint);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return endpoint;
    }

    /// <summary>Lago's UrlValidator: an absolute http(s) URL with a host.</summary>
    private static bool IsHttpUrl(string url) =>
        !url.Any(char.IsWhiteSpace) && Uri.TryCreate(url, UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps) && uri.Host.Length > 0;

    /// <summary>Lago's normalization: trimmed, lower-cased, blanks and repeats dropped; `["*"]` means all (null).</summary>
    private static List<string>? EventTypes(JsonElement? raw, out string? problem)
    {
        problem = null;
        if (raw is not { } element || element.ValueKind == JsonValueKind.Null) return null;
        if (element.ValueKind != JsonValueKind.Array)
        {
            problem = "must_be_array";
            return null;
        }
        var types = element.EnumerateArray()
            .Select(item => item.ValueKind == JsonValueKind.String ? item.GetString()! : item.ValueKind == JsonValueKind.Null ? "" : item.GetRawText())
            .Select(t => t.Trim().ToLowerInvariant()).Where(t => t.Length > 0).Distinct().ToList();
        if (types is ["*"]) return null;
        var unknown = types.Where(t => !WebhookEventTypes.All.Contains(t)).ToList();
        if (unknown.Count > 0) problem = $"contains invalid types: [{string.Join(", ", unknown.Select(t => JsonSerializer.Serialize(t)))}]";
        return types;
    }
}
