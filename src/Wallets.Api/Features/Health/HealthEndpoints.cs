using Npgsql;
using Wallets.Api.Data;
using Wallets.Api.Jobs;

namespace Wallets.Api.Features.Health;

public static class HealthEndpoints
{
    public static void MapHealthEndpoints(this WebApplication app)
    {
        var health = app.MapGroup("/health").WithTags("Health");
        health.MapGet("/", () => Results.Json(new { status = "alive" }));
        health.MapGet("/ready", Ready);
    }

    /// <summary>Ready when the database answers, every schema file is applied and no job has gone too long without a success.</summary>
    private static async Task<IResult> Ready(NpgsqlDataSource dataSource, JobHealth jobs, CancellationToken ct)
    {
        try
        {
            await using var connection = await dataSource.OpenConnectionAsync(ct);
            if (!await SchemaMigrator.IsCurrentAsync(connection, ct))
                return Results.Json(new { status = "schema_out_of_date", schema_version = SchemaMigrator.LatestVersion }, statusCode: 503);
            if (jobs.Stale() is { Count: > 0 } stale)
                return Results.Json(new
                {
                    status = "jobs_stale", schema_version = SchemaMigrator.LatestVersion,
                    stale_jobs = stale.Select(j => new { job = j.Job, last_success_at = j.LastSuccess }),
                }, statusCode: 503);
            return Results.Json(new { status = "ready", schema_version = SchemaMigrator.LatestVersion });
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            return Results.Json(new { status = "database_unreachable" }, statusCode: 503);
        }
    }
}
