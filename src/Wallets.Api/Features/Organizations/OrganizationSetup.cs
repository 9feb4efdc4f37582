using Microsoft.EntityFrameworkCore;
using Wallets.Api.Data;
using Wallets.Api.Http;

namespace Wallets.Api.Features.Organizations;

/// <summary>Creates organizations and their API keys: from the command line, or the bootstrap key at start-up.</summary>
public static class OrganizationSetup
{
    /// <summary>Makes a new organization and returns its fresh API key (shown once, stored only as a hash).</summary>
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

    private static async Task<Organization> AddAsync(WalletsDbContext db, string name, string key, TimeProvider clock)
    {
        var now = clock.GetUtcNow();
        var organization = new Organization { Id = Ids.New(), Name = name, HmacKey = NewHmacKey(), CreatedAt = now, UpdatedAt = now };
        db.Organizations.Add(organization);
        db.ApiKeys.Add(new ApiKey { Id = Ids.New(), OrganizationId = organization.Id, KeyHash = ApiKeyAuth.Hash(key), CreatedAt = now });
        await db.SaveChangesAsync();
        return organization;
    }
}
