using System.Globalization;
using Wallets.Api.Data;

namespace Wallets.Api.Features.Organizations;

/// <summary>
/// The command-line modes that manage tenants: `organizations create|list`, `api-keys create|list|revoke`, and the
/// older `create-organization [name]`. Returns the exit code: 0 done, 1 nothing found (or ambiguous), 2 bad usage.
/// </summary>
public sealed class AdminCommands(WalletsDbContext db, TimeProvider clock, TextWriter output)
{
    public const string Usage = """
        usage: organizations create <name>
               organizations list
               api-keys create <organization id or name> [key name]
               api-keys list [organization id or name]
               api-keys revoke <key id or prefix>
               create-organization [name]
        """;

    public static bool Handles(string? command) => command is "organizations" or "api-keys" or "create-organization";

    public async Task<int> RunAsync(string[] args)
    {
        string? At(int i) => args.ElementAtOrDefault(i);
        switch (At(0), At(1))
        {
            case ("create-organization", _):
                return await CreateOrganizationAsync(At(1) ?? "default");
            case ("organizations", "create") when At(2) is { Length: > 0 } name:
                return await CreateOrganizationAsync(name);
            case ("organizations", "list"):
                output.WriteLine("id\tname\tcreated_at\tactive_keys");
                foreach (var o in await OrganizationSetup.ListOrganizationsAsync(db))
                    output.WriteLine($"{o.Id}\t{o.Name}\t{Time(o.CreatedAt)}\t{o.ActiveKeys}");
                return 0;
            case ("api-keys", "create") when At(2) is { Length: > 0 } organization:
                if (await OrganizationSetup.CreateKeyAsync(db, organization, At(3) ?? "default", clock) is not { } made)
                    return Fail($"No single organization is {organization}.");
                output.WriteLine($"Key {made.Key.Id} ({made.Key.Name}, {made.Key.Prefix}…)");
                output.WriteLine($"API key: {made.Secret}");
                return 0;
            case ("api-keys", "list"):
                output.WriteLine("id\torganization\tname\tprefix\tcreated_at\tlast_used_at\trevoked_at");
                foreach (var k in await OrganizationSetup.ListKeysAsync(db, At(2)))
                    output.WriteLine($"{k.Id}\t{k.OrganizationName}\t{k.Name}\t{k.Prefix}\t{Time(k.CreatedAt)}\t{Time(k.LastUsedAt)}\t{Time(k.RevokedAt)}");
                return 0;
            case ("api-keys", "revoke") when At(2) is { Length: > 0 } key:
                return await OrganizationSetup.RevokeKeyAsync(db, key, clock) switch
                {
                    1 => Done($"Revoked {key}."),
                    0 => Fail($"No live key is {key}."),
                    _ => Fail($"Several live keys start with {key}; give the key's id."),
                };
            default:
                output.WriteLine(Usage);
                return 2;
        }
    }

    private async Task<int> CreateOrganizationAsync(string name)
    {
        var (organization, key) = await OrganizationSetup.CreateAsync(db, name, clock);
        output.WriteLine($"Organization {organization.Name} ({organization.Id})");
        output.WriteLine($"API key: {key}");
        output.WriteLine($"Webhook HMAC key: {organization.HmacKey}");
        return 0;
    }

    private int Done(string message)
    {
        output.WriteLine(message);
        return 0;
    }

    private int Fail(string message)
    {
        output.WriteLine(message);
        return 1;
    }

    private static string Time(DateTimeOffset? t) => t?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture) ?? "-";
}
