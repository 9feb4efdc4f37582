using System.Text.Json.Serialization;
using Npgsql;
using Wallets.Api.Data;
using Wallets.Api.Jobs;

namespace Wallets.Api.Features.Health;

public static class HealthEndpoints
{
    /// <summary>A probe's answer: `alive`, `ready`, `schema_out_of_date` or `database_unreachable`.</summary>
    public sealed record HealthStatus(
        string Status,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? SchemaVersion = null,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<StaleJob>? StaleJobs = null);

    /// <summary>A job that has not succeeded for too long, and when it last did (null: never, in this process).</summary>
    public sealed record StaleJob(string Job, DateTimeOffset? LastSuccessAt);

    public static void MapHealthEndpoints(this WebApplication app)
    {
        var health = app.MapGroup("/health").WithTags("Health");
        health.MapGet("/", Alive).WithName("alive").Produces<HealthStatus>();
        health.MapGet("/ready", Ready).WithName("ready").Produces<HealthStatus>().Produces<HealthStatus>(StatusCodes.Status503ServiceUnavailable);
    }

    /// <summary>Alive while the process serves requests (a liveness probe; no key needed).</summary>
    private static IResult Alive() => Results.Json(new HealthStatus("alive"));

    /// <summary>Ready when the database answers, every schema file is applied and no job has gone too long without a success (no key needed).</summary>
    private static async Task<IResult> Ready(NpgsqlDataSource dataSource, JobHealth jobs, CancellationToken ct)
    {
        try
        {
            await using var connection = await dataSource.OpenConnectionAsync(ct);
            if (!await SchemaMigrator.IsCurrentAsync(connection, ct))
                return Results.Json(new HealthStatus("schema_out_of_date", SchemaMigrator.LatestVersion), statusCode: 503);
            if (jobs.Stale() is { Count: > 0 } stale)
                return Results.Json(new HealthStatus("jobs_stale", SchemaMigrator.LatestVersion,
                    [.. stale.Select(j => new StaleJob(j.Job, j.LastSuccess))]), statusCode: 503);
            return Results.Json(new HealthStatus("ready", SchemaMigrator.LatestVersion));
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            return Results.Json(new HealthStatus("database_unreachable"), statusCode: 503);
        }
    }
}
