using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Primitives;
using Wallets.Api.Data;

namespace Wallets.Api.Http;

/// <summary>
/// `Authorization: Bearer &lt;key&gt;` on every /api/v1 route: the scheme (any case, RFC 7235) and exactly one token,
/// nothing else. Keys are looked up by hash; known keys are kept a minute and unknown ones ten (at most
/// <see cref="MaxUnknown"/> of them), so neither a client nor an attacker costs a query per request. The caches are
/// trusted only while <see cref="ApiKeyListener"/> hears every change to a key (a revocation drops the key's entries at
/// once, in every process); without it, every request is looked up.
/// </summary>
public sealed class ApiKeyAuth : IEndpointFilter
{
    public const int MaxUnknown = 10_000;
    private static readonly TimeSpan KnownFor = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan UnknownFor = TimeSpan.FromMinutes(10);

    private readonly TimeProvider _clock;
    private readonly ApiKeyUsage _usage;
    private readonly Counter<long> _lookups;
    private readonly ConcurrentDictionary<string, (Guid Organization, Guid Key, DateTimeOffset Until)> _known = new();
    private readonly ConcurrentDictionary<string, DateTimeOffset> _unknown = new();
    // Bumped by every forget: a lookup that started before it must not cache what it read.
    private long _generation;
    private volatile bool _trusted;

    public ApiKeyAuth(TimeProvider clock, ApiKeyUsage usage, IMeterFactory meters)
    {
        (_clock, _usage) = (clock, usage);
        _lookups = meters.Create(Jobs.JobMetrics.MeterName).CreateCounter<long>("wallets.auth.key_lookups", "{lookup}",
            "API keys looked up in the database (tag: found); cached answers are not counted.");
    }

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        if (BearerKey(http.Request.Headers.Authorization) is not { } key) return LagoError.Unauthorized.ToResult();

        var organization = await OrganizationOfHashAsync(Hash(key), http.RequestServices, http.RequestAborted);
        if (organization is null) return LagoError.Unauthorized.ToResult();
        http.RequestServices.GetRequiredService<Tenant>().OrganizationId = organization.Value;
        return await next(context);
    }

    /// <summary>The organization whose live key has this hash, or null; the API and the dashboard's sign-in both ask here.</summary>
    public async ValueTask<Guid?> OrganizationOfHashAsync(string hash, IServiceProvider services, CancellationToken ct)
    {
        var now = _clock.GetUtcNow();
        var trusted = _trusted;
        if (trusted && _unknown.TryGetValue(hash, out var unknownUntil) && unknownUntil > now) return null;
        if (!trusted || !_known.TryGetValue(hash, out var entry) || entry.Until < now)
        {
            var generation = Interlocked.Read(ref _generation);
            var db = services.GetRequiredService<WalletsDbContext>();
            var found = await db.ApiKeys.Where(k => k.KeyHash == hash && k.RevokedAt == null)
                .Select(k => new { k.OrganizationId, k.Id }).FirstOrDefaultAsync(ct);
            _lookups.Add(1, new KeyValuePair<string, object?>("found", found is not null));
            var cache = trusted && _trusted && Interlocked.Read(ref _generation) == generation;
            if (found is null)
            {
                if (cache)
                {
                    // Bounded: past the cap, start over rather than grow (an attacker's keys then cost one query each).
                    if (_unknown.Count >= MaxUnknown) _unknown.Clear();
                    _unknown[hash] = now + UnknownFor;
                }
                return null;
            }
            entry = (found.OrganizationId, found.Id, now + KnownFor);
            if (cache) _known[hash] = entry;
        }

        _usage.Touch(entry.Key, now);
        return entry.Organization;
    }

    /// <summary>The key of `Bearer &lt;key&gt;` (scheme in any case), or null for any other header.</summary>
    public static string? BearerKey(StringValues header)
    {
        if (header.Count != 1 || header[0] is not { Length: > 0 } value) return null;
        var parts = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return parts.Length == 2 && parts[0].Equals("Bearer", StringComparison.OrdinalIgnoreCase) ? parts[1] : null;
    }

    /// <summary>A key changed (revoked, created, deleted): whatever this process cached for it goes.</summary>
    public void Forget(string hash)
    {
        Interlocked.Increment(ref _generation);
        _known.TryRemove(hash, out _);
        _unknown.TryRemove(hash, out _);
    }

    /// <summary>True while the listener hears every change, so cached answers are used.</summary>
    public bool Trusted => _trusted;

    /// <summary>The listener hears every change from now on: the caches may be used.</summary>
    public void Trust() => _trusted = true;

    /// <summary>The listener lost its connection: changes may be missed, so nothing cached is used until it is back.</summary>
    public void Distrust()
    {
        _trusted = false;
        Interlocked.Increment(ref _generation);
        _known.Clear();
        _unknown.Clear();
    }

    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    public static string NewKey() => "wlt_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)).Replace('+', '-').Replace('/', '_');

    /// <summary>What lists show of a key: enough to tell generated keys apart (6 of their 32 random characters), too little to use one.</summary>
    public static string PrefixOf(string key) => key.StartsWith("wlt_", StringComparison.Ordinal) && key.Length >= 36 ? key[..10] : key[..Math.Min(4, key.Length)];
}
