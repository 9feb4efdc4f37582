using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Wallets.Api.Jobs;

/// <summary>
/// What each running job last did: how long its rounds take (`wallets.job.duration`, tags job and outcome), when it
/// last succeeded (`wallets.job.last_success`, Unix seconds), and whether it has gone too long without a success, which
/// `/health/ready` reports. Too long is `Jobs:StaleAfterMinutes:&lt;job&gt;` (e.g. `Jobs:StaleAfterMinutes:billing`), by
/// default 30 minutes or three periods of a slower job; 0 turns the check off for that job.
/// </summary>
public sealed class JobHealth
{
    public const string ActivitySourceName = "Wallets.Jobs";
    private static readonly ActivitySource Activities = new(ActivitySourceName);

    private readonly ConcurrentDictionary<string, State> _jobs = new();
    private readonly TimeProvider _clock;
    private readonly IConfiguration _configuration;
    private readonly Histogram<double> _duration;

    public JobHealth(IMeterFactory meters, TimeProvider clock, IConfiguration configuration)
    {
        (_clock, _configuration) = (clock, configuration);
        var meter = meters.Create(JobMetrics.MeterName);
        _duration = meter.CreateHistogram("wallets.job.duration", "s", "How long one round of a background job took (tags: job, outcome).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900] });
        meter.CreateObservableGauge("wallets.job.last_success", ObserveLastSuccess, "s",
            "When the job last finished a round without an error, in Unix seconds (tag: job).");
    }

    /// <summary>Starts watching a job that runs every <paramref name="period"/>: it is stale if it never succeeds.</summary>
    public void Started(string job, TimeSpan period)
    {
        var fallback = Math.Max(30, 3 * period.TotalMinutes);
        var staleAfter = TimeSpan.FromMinutes(_configuration.GetValue($"Jobs:StaleAfterMinutes:{job}", fallback));
        _jobs[job] = new State(_clock.GetUtcNow(), staleAfter);
    }

    /// <summary>Runs one round of a job, timed and traced, and records when it succeeds.</summary>
    public async Task<int> RunAsync(string job, Func<CancellationToken, Task<int>> round, CancellationToken ct)
    {
        using var activity = Activities.StartActivity(job);
        var started = Stopwatch.GetTimestamp();
        var outcome = "error";
        try
        {
            var handled = await round(ct);
            outcome = "success";
            if (_jobs.TryGetValue(job, out var state)) state.LastSuccess = _clock.GetUtcNow();
            activity?.SetTag("wallets.job.handled", handled);
            return handled;
        }
        finally
        {
            _duration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, new("job", job), new("outcome", outcome));
        }
    }

    /// <summary>The jobs that have not succeeded for longer than they may, with their last success (null: never).</summary>
    public IReadOnlyList<(string Job, DateTimeOffset? LastSuccess)> Stale()
    {
        var now = _clock.GetUtcNow();
        return _jobs
            .Where(j => j.Value.StaleAfter > TimeSpan.Zero && now - (j.Value.LastSuccess ?? j.Value.Since) > j.Value.StaleAfter)
            .Select(j => (j.Key, j.Value.LastSuccess)).OrderBy(j => j.Key).ToList();
    }

    /// <summary>When the job last finished a round without an error (null: not yet, or not running here).</summary>
    public DateTimeOffset? LastSuccessOf(string job) => _jobs.TryGetValue(job, out var state) ? state.LastSuccess : null;

    /// <summary>A job's name in metrics, logs and settings: `BillingJob` is `billing`, `WalletExpiryJob` `wallet_expiry`.</summary>
    public static string NameOf(Type job)
    {
        var name = job.Name.EndsWith("Job") ? job.Name[..^3] : job.Name;
        return string.Concat(name.Select((c, i) => char.IsUpper(c) ? (i > 0 ? "_" : "") + char.ToLowerInvariant(c) : c.ToString()));
    }

    private IEnumerable<Measurement<double>> ObserveLastSuccess() =>
        _jobs.Where(j => j.Value.LastSuccess is not null)
            .Select(j => new Measurement<double>(j.Value.LastSuccess!.Value.ToUnixTimeMilliseconds() / 1000.0, new KeyValuePair<string, object?>("job", j.Key)));

    private sealed class State(DateTimeOffset since, TimeSpan staleAfter)
    {
        public DateTimeOffset Since { get; } = since;
        public TimeSpan StaleAfter { get; } = staleAfter;
        public DateTimeOffset? LastSuccess { get; set; }
    }
}
