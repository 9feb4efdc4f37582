using System.Text.Json.Serialization;
using Npgsql;
using Wallets.Api.Data;

namespace Wallets.Api.Features.Health;

public static class HealthEndpoints
{
    /// <summary>A probe's answer: `alive`, `ready`, `schema_out_of_date` or `database_unreachable`.</summary>
    public sealed record HealthStatus(string Status, [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? SchemaVersion = null);

    public static void MapHealthEndpoints(this WebApplication app)
    {
        var health = app.MapGroup("/health").WithTags("Health");
        health.MapGet("/", Alive).WithName("alive").Produces<HealthStatus>();
        health.MapGet("/ready", Ready).WithName("ready").Produces<HealthStatus>().Produces<HealthStatus>(StatusCodes.Status503ServiceUnavailable);
    }

    /// <summary>Alive while the process serves requests (a liveness probe; no key needed).</summary>
    private static IResult Alive() => Results.Json(new HealthStatus("alive"));

    /// <summary>Ready when the database answers and every schema file is applied (a readiness probe; no key needed).</summary>
    private static async Task<IResult> Ready(NpgsqlDataSource dataSource, CancellationToken ct)
    {
        try
        {
            await using var connection = await dataSource.OpenConnectionAsync(ct);
            var current = await SchemaMigrator.IsCurrentAsync(connection, ct);
            return current
                ? Results.Json(new HealthStatus("ready", SchemaMigrator.LatestVersion))
                : Results.Json(new HealthStatus("schema_out_of_date", SchemaMigrator.LatestVersion), statusCode: 503);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            return Results.Json(new HealthStatus("database_unreachable"), statusCode: 503);
        }
    }
}
