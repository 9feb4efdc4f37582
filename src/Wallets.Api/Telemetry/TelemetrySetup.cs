using Npgsql;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Wallets.Api.Jobs;

namespace Wallets.Api.Telemetry;

/// <summary>
/// Metrics and traces with OpenTelemetry. Metrics: the `Wallets` meter (jobs, group commit, backlogs), ASP.NET Core's
/// hosting and Kestrel meters, the .NET runtime and Npgsql; scraped at `/metrics` (Prometheus text) unless
/// `Metrics:Prometheus:Enabled` is false, on the API's own port or on `Metrics:Prometheus:Port`. Both metrics and
/// traces go to an OTLP collector when `OTEL_EXPORTER_OTLP_ENDPOINT` is set; without it no trace is recorded at all.
/// </summary>
public static class TelemetrySetup
{
    public const string MetricsPath = "/metrics";

    public static void AddWalletsTelemetry(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        builder.AddWalletsLogging();
        var prometheus = configuration.GetValue("Metrics:Prometheus:Enabled", true);
        var prometheusPort = configuration.GetValue<int?>("Metrics:Prometheus:Port");
        var otlp = !string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);

        if (!prometheus && !otlp) return;

        builder.Services.AddSingleton<BacklogSampler>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<BacklogSampler>());
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(configuration["OTEL_SERVICE_NAME"] ?? "wallets"))
            .WithMetrics(metrics =>
            {
                // Hosting (request duration, active requests) and Kestrel (connections), not Routing: its per-request
                // match counter tells an operator nothing the request histogram does not.
                metrics.AddMeter(JobMetrics.MeterName, "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "Microsoft.AspNetCore.Diagnostics")
                    .AddRuntimeInstrumentation()
                    .AddNpgsqlInstrumentation();
                if (prometheus && prometheusPort is { } port)
                    metrics.AddPrometheusHttpListener(o =>
                    {
                        (o.Port, o.ScrapeEndpointPath) = (port, MetricsPath);
                        // Every interface (a wildcard the exporter's own Host setting refuses), unless `Metrics:Prometheus:Host` names one.
                        if (configuration["Metrics:Prometheus:Host"] is { Length: > 0 } host) o.Host = host;
                        else o.ConfigureHttpListener = (_, listener) =>
                        {
                            listener.Prefixes.Clear();
                            listener.Prefixes.Add($"http://+:{port}/");
                        };
                    });
                else if (prometheus)
                    metrics.AddPrometheusExporter(o => o.ScrapeEndpointPath = MetricsPath);
                if (otlp) metrics.AddOtlpExporter();
            });
        if (otlp)
            telemetry.WithTracing(tracing => tracing
                .AddSource(JobHealth.ActivitySourceName)
                // Probes and scrapes every few seconds would drown the traces an operator looks for.
                .AddAspNetCoreInstrumentation(o => o.Filter = context => !IsProbeOrScrape(context.Request.Path))
                .AddNpgsql()
                .AddOtlpExporter());
    }

    /// <summary>
    /// `WALLETS_LOG_FORMAT=json` (or `Logging:Console:FormatterName=json`) writes one JSON object per line with its scopes:
    /// the request id and the trace and span ids on every line logged for a request. Timestamps are UTC.
    /// </summary>
    private static void AddWalletsLogging(this WebApplicationBuilder builder)
    {
        var json = string.Equals(builder.Configuration["WALLETS_LOG_FORMAT"], "json", StringComparison.OrdinalIgnoreCase)
            || string.Equals(builder.Configuration["Logging:Console:FormatterName"], "json", StringComparison.OrdinalIgnoreCase);
        if (!json) return;
        builder.Logging.AddJsonConsole(o => (o.IncludeScopes, o.UseUtcTimestamp, o.TimestampFormat) = (true, true, "yyyy-MM-ddTHH:mm:ss.fffZ"));
        builder.Logging.Configure(o => o.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId);
    }

    /// <summary>Serves `/metrics` on the API's port (no API key: keep it off the public network), unless it has a port of its own or is off.</summary>
    public static void MapMetrics(this WebApplication app)
    {
        if (app.Configuration.GetValue("Metrics:Prometheus:Enabled", true) && app.Configuration["Metrics:Prometheus:Port"] is null or "")
            app.MapPrometheusScrapingEndpoint(MetricsPath);
    }

    public static bool IsProbeOrScrape(PathString path) =>
        path.StartsWithSegments("/health") || path.StartsWithSegments(MetricsPath);
}
