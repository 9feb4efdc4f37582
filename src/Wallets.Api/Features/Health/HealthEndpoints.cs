using Npgsql;
using Wallets.Api.Data;

namespace Wallets.Api.Features.Health;

public static class HealthEndpoints
{
    public static void MapHealthEndpoints(this WebApplication app)
    {
        var health = app.MapGroup("/health").WithTags("Health");
        health.MapGet("/", () => Results.Json(new { status = "alive" }));
        health.MapGet("/ready", Ready);
    }

    /// <summary>Ready when the database answers and every schema file is applied.</summary>
    private static async Task<IResult> Ready(NpgsqlDataSource dataSource, CancellationToken ct)
    {
        try
        {
            await using var connection = await dataSource.OpenConnectionAsync(ct);
            var current = await SchemaMigrator.IsCurrentAsync(connection, ct);
            return current
                ? Results.Json(new { status = "ready", schema_version = SchemaMigrator.LatestVersion })
                : Results.Json(new { status = "schema_out_of_date", schema_version = SchemaMigrator.LatestVersion }, statusCode: 503);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            return Results.Json(new { status = "database_unreachable" }, statusCode: 503);
        }
    }
}
