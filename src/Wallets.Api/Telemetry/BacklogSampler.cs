using System.Diagnostics.Metrics;
using Npgsql;
using Wallets.Api.Jobs;

namespace Wallets.Api.Telemetry;

/// <summary>
/// Reads every <see cref="Backlogs"/> count each `Metrics:BacklogSeconds` (default 30) and serves the last reading to
/// its gauge, so a scrape never waits for the database. A count that cannot be read is left out until it can.
/// </summary>
public sealed class BacklogSampler : BackgroundService
{
    private readonly long?[] _values = new long?[Backlogs.All.Length];
    private readonly NpgsqlDataSource _dataSource;
    private readonly TimeProvider _clock;
    private readonly TimeSpan _period;
    private readonly ILogger<BacklogSampler> _logger;

    public BacklogSampler(NpgsqlDataSource dataSource, TimeProvider clock, IConfiguration configuration, IMeterFactory meters, ILogger<BacklogSampler> logger)
    {
        (_dataSource, _clock, _logger) = (dataSource, clock, logger);
        _period = TimeSpan.FromSeconds(Math.Max(1, configuration.GetValue("Metrics:BacklogSeconds", 30)));
        var meter = meters.Create(JobMetrics.MeterName);
        for (var i = 0; i < Backlogs.All.Length; i++)
        {
            var index = i;
            meter.CreateObservableGauge(Backlogs.All[i].Name, () => _values[index] is { } value ? [new Measurement<long>(value)] : Array.Empty<Measurement<long>>(),
                Backlogs.All[i].Unit, Backlogs.All[i].Description);
        }
    }

    /// <summary>Reads every count once, on one connection.</summary>
    public async Task SampleOnceAsync(CancellationToken ct)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(ct);
        for (var i = 0; i < Backlogs.All.Length; i++)
        {
            try
            {
                await using var command = new NpgsqlCommand(Backlogs.All[i].Sql, connection);
                command.Parameters.AddWithValue("now", _clock.GetUtcNow());
                _values[i] = Convert.ToInt64(await command.ExecuteScalarAsync(ct));
            }
            catch (PostgresException e)
            {
                _values[i] = null;
                _logger.LogWarning(e, "Could not read the backlog {Backlog}", Backlogs.All[i].Name);
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_period, _clock);
        do
        {
            try
            {
                await SampleOnceAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                Array.Clear(_values);
                _logger.LogWarning(e, "Could not read the backlogs; trying again in {Period}", _period);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
