using Microsoft.EntityFrameworkCore;
using Wallets.Api.Data;
using Wallets.Api.Http;

namespace Wallets.Api.Features.Organizations;

/// <summary>
/// Organizations and their API keys: made, listed and revoked from the command line, and the bootstrap key at start-up.
/// A key is shown once, when made; only its hash and its first characters (to tell keys apart in a list) are stored.
/// </summary>
public static class OrganizationSetup
{
    public sealed record KeyRow(Guid Id, Guid OrganizationId, string OrganizationName, string Name, string Prefix,
        DateTimeOffset CreatedAt, DateTimeOffset? LastUsedAt, DateTimeOffset? RevokedAt);

    public sealed record OrganizationRow(Guid Id, string Name, DateTimeOffset CreatedAt, int ActiveKeys);

    /// <summary>Makes a new organization and returns its fresh API key.</summary>
    public static async Task<(Organization Organization, string ApiKey)> CreateAsync(WalletsDbContext db, string name, TimeProvider clock)
    {
        var key = ApiKeyAuth.NewKey();
        var organization = await AddAsync(db, name, key, clock);
        return (organization, key);
    }

    /// <summary>Ensures the configured bootstrap key exists, with a default organization behind it. Safe to repeat.</summary>
    public static async Task EnsureBootstrapKeyAsync(WalletsDbContext db, string key, TimeProvider clock)
    {
        var hash = ApiKeyAuth.Hash(key);
        if (await db.ApiKeys.AnyAsync(k => k.KeyHash == hash)) return;
        try
        {
            await AddAsync(db, "default", key, clock);
        }
        catch (DbUpdateException)
        {
            // Another API process may have bootstrapped the same key at the same moment; anything else is real.
            db.ChangeTracker.Clear();
            if (!await db.ApiKeys.AnyAsync(k => k.KeyHash == hash)) throw;
        }
    }

    /// <summary>64 hex characters (256 random bits).</summary>
    public static string NewHmacKey() => Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    /// <summary>A new key for an organization named by id or by name (null when none, or several, have that name).</summary>
    public static async Task<(ApiKey Key, string Secret)?> CreateKeyAsync(WalletsDbContext db, string organization, string name, TimeProvider clock)
    {
        if (await FindAsync(db, organization) is not { } organizationId) return null;
        var secret = ApiKeyAuth.NewKey();
        var key = NewKey(organizationId, secret, name, clock.GetUtcNow());
        db.ApiKeys.Add(key);
        await db.SaveChangesAsync();
        return (key, secret);
    }

    /// <summary>Revokes a key named by id or by its prefix (when exactly one live key has it); the number revoked.</summary>
    public static async Task<int> RevokeKeyAsync(WalletsDbContext db, string idOrPrefix, TimeProvider clock)
    {
        var live = db.ApiKeys.Where(k => k.RevokedAt == null);
        var matches = Guid.TryParse(idOrPrefix, out var id) ? live.Where(k => k.Id == id) : live.Where(k => k.Prefix == idOrPrefix && k.Prefix != "");
        // The trigger on api_keys tells every API process at commit.
        var keys = await matches.Take(2).ToListAsync();
        if (keys.Count != 1) return keys.Count == 0 ? 0 : -1;
        keys[0].RevokedAt = clock.GetUtcNow();
        await db.SaveChangesAsync();
        return 1;
    }

    public static async Task<List<KeyRow>> ListKeysAsync(WalletsDbContext db, string? organization)
    {
        var keys = db.ApiKeys.AsQueryable();
        if (organization is not null)
        {
            var organizationId = await FindAsync(db, organization);
            keys = keys.Where(k => k.OrganizationId == organizationId);
        }
        var rows = await keys.Join(db.Organizations, k => k.OrganizationId, o => o.Id, (k, o) => new { Key = k, OrganizationName = o.Name })
            .OrderBy(r => r.OrganizationName).ThenBy(r => r.Key.CreatedAt).ToListAsync();
        return rows.Select(r => new KeyRow(r.Key.Id, r.Key.OrganizationId, r.OrganizationName, r.Key.Name, r.Key.Prefix,
            r.Key.CreatedAt, r.Key.LastUsedAt, r.Key.RevokedAt)).ToList();
    }

    public static async Task<List<OrganizationRow>> ListOrganizationsAsync(WalletsDbContext db) =>
        await db.Organizations.OrderBy(o => o.CreatedAt)
            .Select(o => new OrganizationRow(o.Id, o.Name, o.CreatedAt, db.ApiKeys.Count(k => k.OrganizationId == o.Id && k.RevokedAt == null)))
            .ToListAsync();

    private static async Task<Guid?> FindAsync(WalletsDbContext db, string organization)
    {
        if (Guid.TryParse(organization, out var id)) return await db.Organizations.AnyAsync(o => o.Id == id) ? id : null;
        var named = await db.Organizations.Where(o => o.Name == organization).Select(o => o.Id).Take(2).ToListAsync();
        return named.Count == 1 ? named[0] : null;
    }

    private static ApiKey NewKey(Guid organizationId, string secret, string name, DateTimeOffset now) => new()
    {
        Id = Ids.New(), OrganizationId = organizationId, KeyHash = ApiKeyAuth.Hash(secret), Name = name, Prefix = ApiKeyAuth.PrefixOf(secret), CreatedAt = now,
    };

    private static async Task<Organization> AddAsync(WalletsDbContext db, string name, string key, TimeProvider clock)
    {
        var now = clock.GetUtcNow();
        var organization = new Organization { Id = Ids.New(), Name = name, HmacKey = NewHmacKey(), CreatedAt = now, UpdatedAt = now };
        db.Organizations.Add(organization);
        db.ApiKeys.Add(NewKey(organization.Id, key, "default", now));
        await db.SaveChangesAsync();
        return organization;
    }
}
