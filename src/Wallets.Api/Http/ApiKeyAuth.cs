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

        var hash = Hash(key);
        var now = clock.GetUtcNow();
        if (!_known.TryGetValue(hash, out var entry) || entry.Until < now)
        {
            var db = http.RequestServices.GetRequiredService<WalletsDbContext>();
            var organization = await db.ApiKeys.Where(k => k.KeyHash == hash).Select(k => (Guid?)k.OrganizationId)
                .FirstOrDefaultAsync(http.RequestAborted);
            if (organization is null) return LagoError.Unauthorized.ToResult();
            entry = (organization.Value, now + CacheFor);
            _known[hash] = entry;
        }

        http.RequestServices.GetRequiredService<Tenant>().OrganizationId = entry.Organization;
        return await next(context);
    }

    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    public static string NewKey() => "wlt_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)).Replace('+', '-').Replace('/', '_');
}
