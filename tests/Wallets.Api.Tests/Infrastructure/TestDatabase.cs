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

    /// <summary>The server to use (see <see cref="PostgresServer"/>).</summary>
    public static string ServerConnectionString => PostgresServer.ConnectionString;

    /// <summary>How the admin connections (CREATE and DROP DATABASE) show in pg_stat_activity.</summary>
    public const string AdminApplicationName = "wallets-tests-admin";

    /// <summary>Runs SQL against a test database, for invariant checks and "nothing changed" assertions.</summary>
    public static async Task<T> ScalarAsync<T>(string connectionString, string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (n, v) in parameters) command.Parameters.AddWithValue(n, v);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    public static async Task<string> CreateAsync()
    {
        var template = await TemplateAsync();
        var name = "wallets_t_" + Guid.NewGuid().ToString("N")[..12];
        // A retry after a lost connection may find the database made by the attempt that lost it.
        await RetryTransientAsync(() => AdminAsync($"CREATE DATABASE {name} TEMPLATE {template}"), alreadyDone: PostgresErrorCodes.DuplicateDatabase);
        return With(name);
    }

    /// <summary>
    /// Runs <paramref name="action"/> again while it fails in a way a restarting or busy server causes (57P01 admin
    /// shutdown, 57P03 starting up, 53300 too many clients, a dropped connection), for up to about 15 s.
    /// </summary>
    public static async Task RetryTransientAsync(Func<Task> action, string? alreadyDone = null)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await action();
                return;
            }
            catch (PostgresException e) when (attempt > 1 && e.SqlState == alreadyDone)
            {
                return;
            }
            catch (Exception e) when (attempt < 15 && IsTransient(e))
            {
                NpgsqlConnection.ClearAllPools();
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(2000, 100 * attempt)));
            }
        }
    }

    private static bool IsTransient(Exception e) => e switch
    {
        // 55006: the template is briefly in use (another class's CREATE DATABASE from it, autovacuum).
        PostgresException pg => pg.SqlState is "57P01" or "57P02" or "57P03" or "53300" or "55006" || pg.IsTransient,
        NpgsqlException npgsql => npgsql.IsTransient || npgsql.InnerException is IOException or System.Net.Sockets.SocketException or TimeoutException,
        _ => false,
    };

    /// <summary>An empty database, for tests of the migrator itself.</summary>
    public static async Task<string> CreateBlankAsync()
    {
        var name = "wallets_t_" + Guid.NewGuid().ToString("N")[..12];
        await RetryTransientAsync(() => AdminAsync($"CREATE DATABASE {name}"), alreadyDone: PostgresErrorCodes.DuplicateDatabase);
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
            var exists = false;
            await RetryTransientAsync(async () =>
            {
                await using var connection = new NpgsqlConnection(ServerConnectionString);
                await connection.OpenAsync();
                await using var query = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = @n", connection);
                query.Parameters.AddWithValue("n", name);
                exists = await query.ExecuteScalarAsync() is not null;
            });
            if (!exists)
            {
                // Built under another name and renamed, so a half-made template is never used; a lost connection
                // starts the build over.
                var building = name + "_" + Environment.ProcessId;
                await RetryTransientAsync(async () =>
                {
                    await AdminAsync($"DROP DATABASE IF EXISTS {building} WITH (FORCE)");
                    await AdminAsync($"CREATE DATABASE {building}");
                    await SchemaMigrator.MigrateAsync(With(building));
                    NpgsqlConnection.ClearAllPools();
                    try { await AdminAsync($"ALTER DATABASE {building} RENAME TO {name}"); }
                    catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.DuplicateDatabase) { await AdminAsync($"DROP DATABASE {building}"); }
                });
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
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ServerConnectionString) { ApplicationName = AdminApplicationName }.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
