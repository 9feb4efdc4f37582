using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Wallets.Api.Data;

namespace Wallets.Api.Http;

/// <summary>
/// `Authorization: Bearer &lt;key&gt;` on every /api/v1 route. Like Lago, the second token of the header is the key.
/// Known keys are cached for a minute, so the hot path costs one dictionary lookup.
/// </summary>
public sealed class ApiKeyAuth(TimeProvider clock) : IEndpointFilter
{
    private static readonly TimeSpan CacheFor = TimeSpan.FromMinutes(1);
    private readonly ConcurrentDictionary<string, (Guid Organization, DateTimeOffset Until)> _known = new();

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var key = http.Request.Headers.Authorization.ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries).ElementAtOrDefault(1);
        if (string.IsNullOrEmpty(key)) return LagoError.Unauthorized.ToResult();

        var organization = await OrganizationOfHashAsync(Hash(key), http.RequestServices, http.RequestAborted);
        if (organization is null) return LagoError.Unauthorized.ToResult();
        http.RequestServices.GetRequiredService<Tenant>().OrganizationId = organization.Value;
        return await next(context);
    }

    /// <summary>The organization whose key has this hash, or null; the API and the dashboard's sign-in both ask here.</summary>
    public async ValueTask<Guid?> OrganizationOfHashAsync(string hash, IServiceProvider services, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        if (_known.TryGetValue(hash, out var entry) && entry.Until >= now) return entry.Organization;
        var db = services.GetRequiredService<WalletsDbContext>();
        var organization = await db.ApiKeys.Where(k => k.KeyHash == hash).Select(k => (Guid?)k.OrganizationId).FirstOrDefaultAsync(ct);
        if (organization is not null) _known[hash] = (organization.Value, now + CacheFor);
        return organization;
    }

    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    public static string NewKey() => "wlt_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)).Replace('+', '-').Replace('/', '_');
}
