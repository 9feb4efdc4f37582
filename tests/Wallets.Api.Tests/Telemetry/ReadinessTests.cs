using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Wallets.Api.Jobs;
using Wallets.Api.Tests.Infrastructure;

namespace Wallets.Api.Tests.Telemetry;

/// <summary>`/health/ready` with the background jobs running: a job that has not succeeded for too long makes it a 503.</summary>
[Collection(MetricsCollection.Name)]
public sealed class ReadinessTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task A_job_without_a_success_for_longer_than_its_limit_makes_ready_a_503_naming_it_until_it_succeeds()
    {
        await using var server = api.WithWebHostBuilder(web => web
            .UseSetting("Jobs:Enabled", "true")
            .UseSetting("Jobs:RecurringTopUpSeconds", "1")
            .UseSetting("Jobs:StaleAfterMinutes:billing", "5")
            .UseSetting("Jobs:StaleAfterMinutes:recurring_top_up", "5"));
        var client = server.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/ready")).StatusCode);
        var jobs = server.Services.GetRequiredService<JobHealth>();
        for (var i = 0; i < 300 && jobs.LastSuccessOf("billing") is null; i++) await Task.Delay(100);
        Assert.NotNull(jobs.LastSuccessOf("billing"));

        // Ten minutes on the service's clock: billing (every minute of real time) has not run since, the top-up job
        // (every second) runs again and so recovers; the others' limits (30 minutes and more) are not reached.
        api.Clock.Advance(TimeSpan.FromMinutes(10));
        JsonNode? body = null;
        for (var i = 0; i < 100; i++)
        {
            var response = await client.GetAsync("/health/ready");
            body = JsonNode.Parse(await response.Content.ReadAsStringAsync());
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            if (body!["stale_jobs"]!.AsArray().Count == 1) break;
            await Task.Delay(100);
        }
        Assert.Equal("jobs_stale", (string?)body!["status"]);
        Assert.Equal(["billing"], body["stale_jobs"]!.AsArray().Select(j => (string?)j!["job"]));
        var lastSuccess = jobs.LastSuccessOf("billing")!.Value;
        Assert.Equal(lastSuccess.AddTicks(-(lastSuccess.Ticks % TimeSpan.TicksPerSecond)), (DateTimeOffset?)body["stale_jobs"]![0]!["last_success_at"]);
    }
}
