using System.Collections.Concurrent;
using System.Threading.Channels;
using Npgsql;

namespace Wallets.Api.Http;

/// <summary>
/// Records each key's `last_used_at`, at most once a minute per key and off the request path: a request only notes the
/// key in memory, and this service writes what was noted in one statement.
/// </summary>
public sealed class ApiKeyUsage(NpgsqlDataSource dataSource, ILogger<ApiKeyUsage> log) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<Guid, DateTimeOffset> _noted = new();
    private readonly Channel<(Guid Key, DateTimeOffset At)> _pending =
        Channel.CreateBounded<(Guid, DateTimeOffset)>(new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.DropWrite });

    /// <summary>Called on every authenticated request: a dictionary read, and a write once a minute per key.</summary>
    public void Touch(Guid key, DateTimeOffset now)
    {
        if (_noted.TryGetValue(key, out var last) && now - last < Interval) return;
        _noted[key] = now;
        _pending.Writer.TryWrite((key, now));
    }

    protected override async Task ExecuteAsync(CancellationToken stop)
    {
        try
        {
            while (await _pending.Reader.WaitToReadAsync(stop))
            {
                var batch = new Dictionary<Guid, DateTimeOffset>();
                while (_pending.Reader.TryRead(out var item)) batch[item.Key] = item.At;
                try
                {
                    await WriteAsync(batch, stop);
                }
                catch (Exception e) when (!stop.IsCancellationRequested)
                {
                    // Noted again on the key's next request.
                    foreach (var key in batch.Keys) _noted.TryRemove(key, out _);
                    log.LogWarning(e, "Could not record the last use of {Count} API key(s)", batch.Count);
                    await Task.Delay(TimeSpan.FromSeconds(1), stop);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    private async Task WriteAsync(Dictionary<Guid, DateTimeOffset> batch, CancellationToken ct)
    {
        // Never moves last_used_at back (two processes may write the same key).
        await using var command = dataSource.CreateCommand("""
            UPDATE api_keys k SET last_used_at = u.at
            FROM unnest($1::uuid[], $2::timestamptz[]) AS u(id, at)
            WHERE k.id = u.id AND (k.last_used_at IS NULL OR k.last_used_at < u.at)
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = batch.Keys.ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = batch.Values.Select(v => v.UtcDateTime).ToArray() });
        await command.ExecuteNonQueryAsync(ct);
    }
}
