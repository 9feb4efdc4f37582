namespace Wallets.Api.Jobs;

/// <summary>A background job run every <see cref="Period"/> of the injected clock; tests call <see cref="RunOnceAsync"/>.</summary>
public abstract class ClockJob(TimeProvider clock, ILogger logger) : BackgroundService
{
    protected TimeProvider Clock { get; } = clock;

    protected abstract TimeSpan Period { get; }

    /// <summary>Does one round of work and says how many items it handled.</summary>
    public abstract Task<int> RunOnceAsync(CancellationToken ct);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Period, Clock);
        do
        {
            try
            {
                var handled = await RunOnceAsync(stoppingToken);
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
