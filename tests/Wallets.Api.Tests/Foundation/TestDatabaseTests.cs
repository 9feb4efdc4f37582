using Npgsql;
using Wallets.Api.Tests.Infrastructure;

namespace Wallets.Api.Tests.Foundation;

/// <summary>The test databases survive what a PostgreSQL restart does to their admin connections (57P01).</summary>
public sealed class TestDatabaseTests
{
    [Fact]
    public async Task Creating_a_test_database_is_retried_when_the_server_terminates_its_connection()
    {
        await TestDatabase.DropAsync(await TestDatabase.CreateAsync()); // the template exists, so only CREATE DATABASE is left to hit
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var killed = 0;
        var killer = Task.Run(async () =>
        {
            // Terminates the first CREATE DATABASE it sees on an admin connection, as a restart would.
            await using var connection = new NpgsqlConnection(TestDatabase.ServerConnectionString);
            await connection.OpenAsync(stop.Token);
            while (killed == 0 && !stop.IsCancellationRequested)
            {
                await using var command = new NpgsqlCommand("""
                    SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                    WHERE application_name = @a AND query LIKE 'CREATE DATABASE wallets_t_%' AND state = 'active') t
                    """, connection);
                command.Parameters.AddWithValue("a", TestDatabase.AdminApplicationName);
                killed = (int)(long)(await command.ExecuteScalarAsync(stop.Token))!;
            }
        });

        var created = new List<string>();
        try
        {
            while (killed == 0 && !stop.IsCancellationRequested) created.Add(await TestDatabase.CreateAsync());
            await killer;
            Assert.True(killed > 0, "no CREATE DATABASE was caught in 30 s");
            await using var connection = new NpgsqlConnection(created[^1]);
            await connection.OpenAsync();
            await using var check = new NpgsqlCommand("SELECT count(*) FROM schema_migrations", connection);
            Assert.True((long)(await check.ExecuteScalarAsync())! > 0);
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            foreach (var database in created) await TestDatabase.DropAsync(database);
        }
    }
}
