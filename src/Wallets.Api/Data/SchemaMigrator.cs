using System.Reflection;
using Npgsql;

namespace Wallets.Api.Data;

/// <summary>
/// Applies the versioned SQL files under Data/Schema (embedded) in name order, each in its own transaction,
/// and records them in schema_migrations. A session advisory lock makes two processes starting at once safe.
/// </summary>
public static class SchemaMigrator
{
    private const long LockKey = 0x57414c4c455453; // "WALLETS"

    public static IReadOnlyList<(string Version, string Sql)> Scripts { get; } = LoadScripts();

    public static string LatestVersion => Scripts[^1].Version;

    public static async Task<int> MigrateAsync(string connectionString, CancellationToken ct = default)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        // One migrator at a time; the others wait, then find nothing left to do.
        await Execute(connection, null, $"SELECT pg_advisory_lock({LockKey})", ct);
        try
        {
            await Execute(connection, null,
                "CREATE TABLE IF NOT EXISTS schema_migrations (version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())", ct);
            var applied = await AppliedAsync(connection, ct);
            var count = 0;
            foreach (var (version, sql) in Scripts.Where(s => !applied.Contains(s.Version)))
            {
                await using var tx = await connection.BeginTransactionAsync(ct);
                await Execute(connection, tx, sql, ct);
                await using var record = new NpgsqlCommand("INSERT INTO schema_migrations (version) VALUES (@v)", connection, tx);
                record.Parameters.AddWithValue("v", version);
                await record.ExecuteNonQueryAsync(ct);
                await tx.CommitAsync(ct);
                count++;
            }
            return count;
        }
        finally
        {
            await Execute(connection, null, $"SELECT pg_advisory_unlock({LockKey})", CancellationToken.None);
        }
    }

    /// <summary>True when every embedded script is recorded as applied.</summary>
    public static async Task<bool> IsCurrentAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        try
        {
            var applied = await AppliedAsync(connection, ct);
            return Scripts.All(s => applied.Contains(s.Version));
        }
        catch (PostgresException)
        {
            return false;
        }
    }

    private static async Task<HashSet<string>> AppliedAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("SELECT version FROM schema_migrations", connection);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var versions = new HashSet<string>();
        while (await reader.ReadAsync(ct)) versions.Add(reader.GetString(0));
        return versions;
    }

    private static async Task Execute(NpgsqlConnection connection, NpgsqlTransaction? tx, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection, tx);
        await command.ExecuteNonQueryAsync(ct);
    }

    private static List<(string, string)> LoadScripts()
    {
        var assembly = Assembly.GetExecutingAssembly();
        const string prefix = "Wallets.Api.Data.Schema.";
        return assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(prefix, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(n =>
            {
                using var reader = new StreamReader(assembly.GetManifestResourceStream(n)!);
                return (n[prefix.Length..^4], reader.ReadToEnd());
            })
            .ToList();
    }
}
