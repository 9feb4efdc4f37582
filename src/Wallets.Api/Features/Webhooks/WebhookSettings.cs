namespace Wallets.Api.Features.Webhooks;

/// <summary>
/// The `Webhooks` configuration section. Retries: the n-th retry waits FirstRetryDelay × 3^(n−1) (±10 %), at most
/// MaxRetryDelay, and a delivery is retried until RetryFor has passed since it was written (defaults: 5 s, 15 s, 45 s,
/// 2¼ min, 6¾ min, 20 min, 1 h, 3 h, then every 6 h, for 3 days), then marked failed.
/// </summary>
public sealed class WebhookSettings
{
    /// <summary>Runs the dispatcher in this process (default: Jobs:Enabled).</summary>
    public bool? Enabled { get; set; }
    /// <summary>The JWT's `iss`: this service's public URL, as Lago uses LAGO_API_URL.</summary>
    public string? Issuer { get; set; }
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);
    public TimeSpan FirstRetryDelay { get; set; } = TimeSpan.FromSeconds(5);
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromHours(6);
    public TimeSpan RetryFor { get; set; } = TimeSpan.FromDays(3);
    /// <summary>How often an idle dispatcher looks for due rows (other processes' commits included).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(200);
    /// <summary>A claimed row comes back to every dispatcher after this, if its claimer died (more than Timeout).</summary>
    public TimeSpan ClaimLease { get; set; } = TimeSpan.FromSeconds(60);
    public int BatchSize { get; set; } = 500;
    public int MaxInFlight { get; set; } = 512;
    /// <summary>A slow or dead endpoint holds at most this many of the MaxInFlight slots.</summary>
    public int MaxInFlightPerEndpoint { get; set; } = 64;
    /// <summary>Finished deliveries (succeeded or failed) are deleted this long after their last attempt.</summary>
    public TimeSpan KeepFor { get; set; } = TimeSpan.FromDays(14);

    /// <summary>When the delivery written at <paramref name="createdAt"/> is tried again after failing <paramref name="attempts"/> times; null: never.</summary>
    public DateTimeOffset? NextAttempt(int attempts, DateTimeOffset createdAt, DateTimeOffset now)
    {
        var delay = FirstRetryDelay.TotalMilliseconds * Math.Pow(3, Math.Min(attempts - 1, 30));
        delay = Math.Min(delay, MaxRetryDelay.TotalMilliseconds) * (0.9 + Random.Shared.NextDouble() * 0.2);
        var next = now + TimeSpan.FromMilliseconds(delay);
        return next - createdAt <= RetryFor ? next : null;
    }
}
