namespace Wallets.Api.Tests.Telemetry;

/// <summary>
/// Scrapes run alone, after the other classes: OpenTelemetry stops exporting a meter's instruments when another meter of
/// the same name is disposed (open-telemetry/opentelemetry-dotnet#6412), which every other test server's shutdown does
/// to its own `Wallets` meter in this shared process. A real process has one server, so one meter of each name.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MetricsCollection
{
    public const string Name = "Metrics scrapes";
}
