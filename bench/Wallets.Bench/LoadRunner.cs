using System.Diagnostics;

namespace Wallets.Bench;

/// <summary>
/// A closed loop: a fixed number of workers, each sending its next request as soon as the previous one answered.
/// Requests started during the warm-up are sent but not counted; none is started after the measured window.
/// </summary>
public sealed class LoadRunner(HttpClient http)
{
    public async Task<LoadResult> RunAsync(string name, int workers, TimeSpan warmup, TimeSpan duration, Func<Random, HttpRequestMessage> next)
    {
        var start = Stopwatch.GetTimestamp();
        var measureFrom = start + (long)(warmup.TotalSeconds * Stopwatch.Frequency);
        var until = measureFrom + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var results = await Task.WhenAll(Enumerable.Range(0, workers).Select(i => Task.Run(() => WorkAsync(next, measureFrom, until, i))));

        var latencies = results.SelectMany(r => r.Latencies).ToArray();
        Array.Sort(latencies);
        var lastEnd = results.Max(r => r.LastEnd);
        var seconds = Math.Max(lastEnd - measureFrom, 1) / (double)Stopwatch.Frequency;
        var statuses = results.SelectMany(r => r.Statuses).GroupBy(s => s.Key).ToDictionary(g => g.Key, g => g.Sum(s => s.Value));
        return new LoadResult(name, workers, latencies, seconds,
            results.Sum(r => r.Errors), results.Sum(r => r.Non2xx), statuses,
            results.Select(r => r.Sample).FirstOrDefault(s => s is not null));
    }

    private async Task<WorkerResult> WorkAsync(Func<Random, HttpRequestMessage> next, long measureFrom, long until, int seed)
    {
        var rng = new Random(unchecked(Environment.TickCount * 31 + seed));
        var result = new WorkerResult();
        while (true)
        {
            var t0 = Stopwatch.GetTimestamp();
            if (t0 >= until) break;
            using var request = next(rng);
            int? status = null;
            string? body = null;
            try
            {
                using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead);
                status = (int)response.StatusCode;
                // Read the body as a client would; keep one failing body to show what went wrong.
                var content = await response.Content.ReadAsByteArrayAsync();
                if (status is < 200 or >= 300 && result.Sample is null) body = System.Text.Encoding.UTF8.GetString(content);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
            {
                body = e.GetType().Name + ": " + e.Message;
            }
            var t1 = Stopwatch.GetTimestamp();
            if (t0 < measureFrom) continue;

            result.LastEnd = Math.Max(result.LastEnd, t1);
            if (status is null)
            {
                result.Errors++;
                result.Sample ??= body;
                continue;
            }
            result.Latencies.Add(t1 - t0);
            result.Statuses[status.Value] = result.Statuses.GetValueOrDefault(status.Value) + 1;
            if (status is < 200 or >= 300)
            {
                result.Non2xx++;
                result.Sample ??= $"{status}: {body}";
            }
        }
        return result;
    }

    private sealed class WorkerResult
    {
        public List<long> Latencies { get; } = new(16_384);
        public Dictionary<int, long> Statuses { get; } = [];
        public long Errors { get; set; }
        public long Non2xx { get; set; }
        public long LastEnd { get; set; }
        public string? Sample { get; set; }
    }
}

/// <summary>One scenario's numbers. Latencies are Stopwatch ticks, sorted.</summary>
public sealed record LoadResult(
    string Name, int Workers, long[] Latencies, double Seconds, long Errors, long Non2xx,
    IReadOnlyDictionary<int, long> Statuses, string? FailureSample)
{
    public long Count => Latencies.Length;
    public double RequestsPerSecond => Count / Seconds;
    public double Ok2xxPerSecond => (Count - Non2xx) / Seconds;

    /// <summary>Nearest-rank percentile, in milliseconds.</summary>
    public double PercentileMs(double p)
    {
        if (Latencies.Length == 0) return double.NaN;
        var rank = (int)Math.Ceiling(p / 100 * Latencies.Length) - 1;
        return Latencies[Math.Clamp(rank, 0, Latencies.Length - 1)] * 1000.0 / Stopwatch.Frequency;
    }

    public double MaxMs => Latencies.Length == 0 ? double.NaN : Latencies[^1] * 1000.0 / Stopwatch.Frequency;
}
