using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Wallets.Api.Data;

namespace Wallets.Api.Http;

/// <summary>
/// `Idempotency-Key` on POST/PUT/PATCH/DELETE (DESIGN.md 11). The response is stored in the same transaction as
/// the effect, so either both exist or neither does. A retry gets the stored response (`Idempotent-Replayed: true`),
/// the same key with another request is a 422, and a duplicate sent while the first is still running is a 409.
/// Only successes are stored: a failed request changed nothing, so retrying it simply runs it again.
/// </summary>
public sealed class IdempotencyFilter(TimeProvider clock) : IEndpointFilter
{
    public const string Header = "Idempotency-Key";
    public const string ReplayedHeader = "Idempotent-Replayed";

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var key = http.Request.Headers[Header].ToString();
        if (key.Length == 0 || HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method)) return await next(context);
        if (key.Length > 255) return LagoError.Validation("idempotency_key", "value_is_too_long").ToResult();

        var hash = await RequestHashAsync(http.Request);
        var db = http.RequestServices.GetRequiredService<WalletsDbContext>();
        var organization = http.RequestServices.GetRequiredService<Tenant>().OrganizationId;
        await using var tx = await http.RequestServices.GetRequiredService<RequestTransaction>().BeginAsync(http.RequestAborted);

        // Held until this transaction ends: a second request with the key meanwhile is a concurrent duplicate.
        var lockName = $"idempotency:{organization}:{key}";
        var mine = await db.Database.SqlQuery<bool>($"SELECT pg_try_advisory_xact_lock(hashtextextended({lockName}, 0)) AS \"Value\"")
            .SingleAsync(http.RequestAborted);
        if (!mine) return LagoError.Conflict("idempotency_key_in_use").ToResult();

        var stored = await db.IdempotencyKeys.AsNoTracking().FirstOrDefaultAsync(k => k.Key == key, http.RequestAborted);
        if (stored is not null)
        {
            if (stored.RequestHash != hash) return LagoError.Validation("idempotency_key", "key_reused_with_different_request").ToResult();
            http.Response.Headers[ReplayedHeader] = "true";
            return Results.Content(stored.ResponseBody, "application/json", Encoding.UTF8, stored.StatusCode);
        }

        var result = await next(context);
        var status = (result as IStatusCodeHttpResult)?.StatusCode ?? 200;
        if (status is < 200 or >= 300 || result is not IValueHttpResult { Value: var value }) return result;

        var body = JsonSerializer.Serialize(value, LagoJson.Options);
        db.IdempotencyKeys.Add(new IdempotencyKey
        {
            OrganizationId = organization, Key = key, RequestHash = hash, StatusCode = status, ResponseBody = body, CreatedAt = clock.GetUtcNow(),
        });
        await db.SaveChangesAsync(http.RequestAborted);
        await tx.CommitAsync(http.RequestAborted);
        return Results.Content(body, "application/json", Encoding.UTF8, status);
    }

    /// <summary>The method, path, query and body: "the same request" means all four are the same.</summary>
    private static async Task<string> RequestHashAsync(HttpRequest request)
    {
        request.EnableBuffering();
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(Encoding.UTF8.GetBytes($"{request.Method} {request.Path}{request.QueryString}\n"));
        var buffer = new byte[8192];
        int read;
        while ((read = await request.Body.ReadAsync(buffer, request.HttpContext.RequestAborted)) > 0) sha.AppendData(buffer, 0, read);
        request.Body.Position = 0;
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }
}
