using Npgsql;
using Testcontainers.PostgreSql;

namespace Wallets.Api.Tests.Infrastructure;

/// <summary>
/// The PostgreSQL server the tests use, found once per run, in this order: the connection string in `WALLETS_DB` or
/// `ConnectionStrings__Wallets` (what scripts/test.sh exports); a local server on 127.0.0.1:5432 with the `wallets`
/// role (what scripts/db.sh sets up); a throwaway `postgres:15` container through Testcontainers when a Docker engine
/// is reachable (a laptop with Docker and no PostgreSQL). `WALLETS_TESTCONTAINERS=1` goes straight to the container,
/// `WALLETS_TESTCONTAINERS_IMAGE` names another image (a mirror's, or one built locally; it needs the official image's
/// POSTGRES_* variables and `pg_isready`).
/// The role must be allowed to create databases.
/// </summary>
public static class PostgresServer
{
    public const string LocalConnectionString = "Host=127.0.0.1;Port=5432;Username=wallets;Password=wallets;Database=wallets";
    public const string ContainerImage = "postgres:15-alpine";

    private static readonly Lazy<string> Resolved = new(() => ResolveAsync().GetAwaiter().GetResult());
    private static PostgreSqlContainer? _container;

    public static string ConnectionString => Resolved.Value;

    /// <summary>Where the connection string came from, for messages.</summary>
    public static string Source { get; private set; } = "";

    private static async Task<string> ResolveAsync()
    {
        if (Environment.GetEnvironmentVariable("WALLETS_TESTCONTAINERS") != "1") return await GivenOrLocalAsync() ?? await ContainerAsync();
        return await ContainerAsync();
    }

    private static async Task<string?> GivenOrLocalAsync()
    {
        foreach (var variable in new[] { "WALLETS_DB", "ConnectionStrings__Wallets" })
        {
            if (Environment.GetEnvironmentVariable(variable) is { Length: > 0 } given)
            {
                Source = variable;
                return given;
            }
        }
        if (await AnswersAsync(LocalConnectionString))
        {
            Source = "local PostgreSQL";
            return LocalConnectionString;
        }
        return null;
    }

    private static async Task<string> ContainerAsync()
    {
        try
        {
            var image = Environment.GetEnvironmentVariable("WALLETS_TESTCONTAINERS_IMAGE") is { Length: > 0 } given ? given : ContainerImage;
            _container = new PostgreSqlBuilder(image).Build();
            await _container.StartAsync();
            AppDomain.CurrentDomain.ProcessExit += (_, _) => _container.DisposeAsync().AsTask().GetAwaiter().GetResult();
            Source = "Testcontainers";
            return _container.GetConnectionString();
        }
        catch (Exception e)
        {
            throw new InvalidOperationException(
                "No PostgreSQL for the tests: set WALLETS_DB to a connection string, run one on 127.0.0.1:5432 (scripts/db.sh), " +
                "or start a Docker engine that can pull " + ContainerImage + " for Testcontainers.", e);
        }
    }

    private static async Task<bool> AnswersAsync(string connectionString)
    {
        try
        {
            await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Timeout = 3, Pooling = false }.ConnectionString);
            await connection.OpenAsync();
            return true;
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or System.Net.Sockets.SocketException)
        {
            return false;
        }
    }
}
