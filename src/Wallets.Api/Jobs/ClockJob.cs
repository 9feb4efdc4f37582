namespace Wallets.Api.Jobs;

/// <summary>A background job run every <see cref="Period"/> of the injected clock; tests call <see cref="RunOnceAsync"/>.</summary>
public abstract class ClockJob(TimeProvider clock, ILogger logger) : BackgroundService
{
    protected TimeProvider Clock { get; } = clock;

    protected abstract TimeSpan Period { get; }

    /// <summary>The job's name in metrics, health and settings (see <see cref="JobHealth.NameOf"/>).</summary>
    public string Name => JobHealth.NameOf(GetType());

    /// <summary>Set when the job runs as a hosted service: its rounds are timed and its successes recorded there.</summary>
    public JobHealth? Health { get; set; }

    /// <summary>Does one round of work and says how many items it handled.</summary>
    public abstract Task<int> RunOnceAsync(CancellationToken ct);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        Health?.Started(Name, Period);
        using var timer = new PeriodicTimer(Period, Clock);
        do
        {
            try
            {
                var handled = Health is null ? await RunOnceAsync(stoppingToken) : await Health.RunAsync(Name, RunOnceAsync, stoppingToken);
                if (handled > 0) logger.LogInformation("{Job} handled {Count} item(s)", GetType().Name, handled);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogError(e, "{Job} failed; it will run again in {Period}", GetType().Name, Period);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
