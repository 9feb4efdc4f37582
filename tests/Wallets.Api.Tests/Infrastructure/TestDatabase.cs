using System.Security.Cryptography;
using System.Text;
using Npgsql;
using Wallets.Api.Data;

namespace Wallets.Api.Tests.Infrastructure;

/// <summary>
/// Real PostgreSQL for tests. The schema is applied once to a template database (named after a hash of the
/// schema files, so a schema change makes a new one); each test class gets its own copy of it.
/// </summary>
public static class TestDatabase
{
    private static readonly SemaphoreSlim TemplateGate = new(1, 1);
    private static string? _template;

    /// <summary>The server to use: `ConnectionStrings__Wallets` (set by scripts/test.sh), else the local default.</summary>
    public static string ServerConnectionString { get; } =
        Environment.GetEnvironmentVariable("ConnectionStrings__Wallets")
        ?? "Host=127.0.0.1;Port=5432;Username=wallets;Password=wallets;Database=wallets";

    public static async Task<string> CreateAsync()
    {
        var template = await TemplateAsync();
        var name = "wallets_t_" + Guid.NewGuid().ToString("N")[..12];
        await AdminAsync($"CREATE DATABASE {name} TEMPLATE {template}");
        return With(name);
    }

    /// <summary>An empty database, for tests of the migrator itself.</summary>
    public static async Task<string> CreateBlankAsync()
    {
        var name = "wallets_t_" + Guid.NewGuid().ToString("N")[..12];
        await AdminAsync($"CREATE DATABASE {name}");
        return With(name);
    }

    /// <summary>
    /// Drops a test database. Best effort: a busy server (e.g. out of connection slots) must not fail a test run
    /// whose tests passed; a database left behind is harmless and only named wallets_t_*.
    /// </summary>
    public static async Task DropAsync(string connectionString)
    {
        var sql = $"DROP DATABASE IF EXISTS {new NpgsqlConnectionStringBuilder(connectionString).Database} WITH (FORCE)";
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await AdminAsync(sql);
                return;
            }
            catch (NpgsqlException) when (attempt < 5)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt));
            }
            catch (NpgsqlException e)
            {
                Console.Error.WriteLine($"test database not dropped: {e.Message}");
                return;
            }
        }
    }

    // The PostgreSQL server is shared (max_connections 100) by parallel test classes, other worktrees and benchmarks:
    // a class's bursts of parallel requests wait for one of its 25 connections rather than fail with "too many clients".
    public static string With(string database) =>
        new NpgsqlConnectionStringBuilder(ServerConnectionString) { Database = database, Pooling = true, MaxPoolSize = 25 }.ConnectionString;

    private static async Task<string> TemplateAsync()
    {
        await TemplateGate.WaitAsync();
        try
        {
            if (_template is not null) return _template;
            var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(
                string.Join("\n", SchemaMigrator.Scripts.Select(s => s.Version + s.Sql)))))[..12];
            var name = "wallets_template_" + hash;
            await using var connection = new NpgsqlConnection(ServerConnectionString);
            await connection.OpenAsync();
            await using (var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = @n", connection))
            {
                exists.Parameters.AddWithValue("n", name);
                if (await exists.ExecuteScalarAsync() is null)
                {
                    // Built under another name and renamed, so a half-made template is never used.
                    var building = name + "_" + Environment.ProcessId;
                    await AdminAsync($"DROP DATABASE IF EXISTS {building} WITH (FORCE)");
                    await AdminAsync($"CREATE DATABASE {building}");
                    await SchemaMigrator.MigrateAsync(With(building));
                    NpgsqlConnection.ClearAllPools();
                    try { await AdminAsync($"ALTER DATABASE {building} RENAME TO {name}"); }
                    catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.DuplicateDatabase) { await AdminAsync($"DROP DATABASE {building}"); }
                }
            }
            return _template = name;
        }
        finally
        {
            TemplateGate.Release();
        }
    }

    private static async Task AdminAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ServerConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
