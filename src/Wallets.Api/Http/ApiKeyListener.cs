using Npgsql;

namespace Wallets.Api.Http;

/// <summary>
/// Listens on the `wallets_api_keys` channel (notified by a trigger whenever a key is created, revoked or deleted, by
/// whoever) and drops that key from <see cref="ApiKeyAuth"/>'s caches, so every API process refuses a revoked key as
/// soon as the revocation commits. A lost connection stops the caches being trusted until it is back (reconnecting every
/// second), so a missed notification can never keep a revoked key alive.
/// </summary>
public sealed class ApiKeyListener(IConfiguration configuration, ApiKeyAuth auth, ILogger<ApiKeyListener> log) : BackgroundService
{
    public const string Channel = "wallets_api_keys";

    /// <summary>How its session shows in pg_stat_activity.</summary>
    public const string ApplicationName = "wallets-api-key-listener";

    protected override async Task ExecuteAsync(CancellationToken stop)
    {
        // A connection of its own, outside the pool: a LISTEN must not follow a pooled connection to another user.
        var connectionString = new NpgsqlConnectionStringBuilder(configuration.GetConnectionString("Wallets")) { Pooling = false, KeepAlive = 5, ApplicationName = ApplicationName }.ConnectionString;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await using var connection = new NpgsqlConnection(connectionString);
                await connection.OpenAsync(stop);
                connection.Notification += (_, e) => auth.Forget(e.Payload);
                await using (var listen = new NpgsqlCommand($"LISTEN {Channel}", connection)) await listen.ExecuteNonQueryAsync(stop);
                auth.Trust();
                while (!stop.IsCancellationRequested) await connection.WaitAsync(stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                auth.Distrust();
                log.LogWarning(e, "API key listener lost its connection; every request is looked up until it is back");
                try { await Task.Delay(TimeSpan.FromSeconds(1), stop); } catch (OperationCanceledException) { break; }
            }
        }
        auth.Distrust();
    }
}
