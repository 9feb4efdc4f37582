using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Wallets.Api.Telemetry;
using Wallets.Api.Tests.Infrastructure;
using static Wallets.Api.Tests.Invoicing.InvoicingSetup;

namespace Wallets.Api.Tests.Telemetry;

/// <summary>The Prometheus scrape at `/metrics`: what an operator's scraper finds there, without an API key.</summary>
[Collection(MetricsCollection.Name)]
public sealed class MetricsTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task A_scrape_shows_the_wallets_counters_backlog_group_commit_and_http_request_durations()
    {
        var client = await api.NewOrganizationClientAsync();
        var metric = await client.SumMetricAsync("calls");
        await client.PlanAsync("metered", 1_000, [Charge(metric, "1")]);
        await client.CustomerAsync("acme", netPaymentTerm: null);
        var month = api.ThisMonth();
        await client.SubscribeAsync("acme", "metered", month, externalId: "sub-metrics");
        (await client.PostAsync("/api/v1/events", new { @event = new { transaction_id = "m-1", external_subscription_id = "sub-metrics", code = "calls", properties = new { units = "3" } } })).Ok();

        // A subscription the job has not billed yet is backlog; once billed it is not.
        var sampler = api.Services.GetRequiredService<BacklogSampler>();
        await sampler.SampleOnceAsync(CancellationToken.None);
        var before = await ScrapeAsync();
        Assert.Equal(1, Value(before, "wallets_billing_backlog"));
        Assert.Equal(0, Value(before, "wallets_webhooks_backlog"));

        Assert.True(await api.BillAsync(month.AddMonths(1).AddHours(1)) > 0);
        await sampler.SampleOnceAsync(CancellationToken.None);
        await Task.Delay(400); // past the exporter's 300 ms response cache
        var after = await ScrapeAsync();

        Assert.True(Value(after, "wallets_billing_backlog") == 0, after);
        Assert.True(Value(after, "wallets_billing_invoices_total") >= 1, after);
        Assert.Contains("wallets_group_commit_batch_size_bucket{", after);
        Assert.Contains("writer=\"event\"", after);
        Assert.Contains("# TYPE http_server_request_duration_seconds histogram", after);
        Assert.Contains("http_server_request_duration_seconds_bucket{", after);
        Assert.Contains("http_route=\"/api/v1/events/\"", after);
        Assert.Contains("dotnet_gc_heap_total_allocated_bytes_total", after);
        Assert.Contains("db_client_operation_duration_seconds_bucket{", after);
    }

    [Fact]
    public async Task Metrics_are_not_an_api_route_and_the_api_still_needs_its_key()
    {
        Assert.Equal(HttpStatusCode.NotFound, (await api.CreateClient().GetAsync("/api/v1/metrics")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.CreateClient().GetAsync("/api/v1/customers")).StatusCode);
    }

    /// <summary>Scrapes with no credentials at all, as Prometheus does.</summary>
    private async Task<string> ScrapeAsync()
    {
        var response = await api.CreateClient().GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>The value of a metric with no tags but the exporter's own (one series), or -1 when it is not there.</summary>
    private static double Value(string scrape, string name)
    {
        var line = scrape.Split('\n').FirstOrDefault(l => l.StartsWith(name + "{") || l.StartsWith(name + " "));
        return line is null ? -1 : double.Parse(line[(line.LastIndexOf('}') + 1)..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
    }
}
