using System.Diagnostics;

namespace Wallets.Bench;

/// <summary>
/// A closed loop (<see cref="RunAsync"/>): a fixed number of workers, each sending its next request as soon as the
/// previous one answered. Or an open loop (<see cref="RunAtRateAsync"/>): requests start on a fixed schedule.
/// Requests started during the warm-up are sent but not counted; none is started after the measured window.
/// </summary>
public sealed class LoadRunner(HttpClient http)
{
    /// <summary>
    /// Requests start at a fixed rate whether or not earlier ones have answered, so a server that stalls faces a growing
    /// queue instead of a load that slows down with it. For a latency at a given load, rather than the most a closed loop
    /// can push. Timers tick about once a millisecond, so requests due meanwhile go out together; a latency counts from
    /// the moment its request was sent, and how late the generator sent them is reported beside it.
    /// </summary>
    public async Task<LoadResult> RunAtRateAsync(string name, double perSecond, TimeSpan warmup, TimeSpan duration, Func<Random, HttpRequestMessage> next)
    {
        var start = Stopwatch.GetTimestamp();
        var measureFrom = start + (long)(warmup.TotalSeconds * Stopwatch.Frequency);
        var until = measureFrom + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var rng = new Random(Environment.TickCount);
        // One slot per request, filled when it answers: no task or message outlives its request, so the generator's
        // own garbage collections (which would stall every answer at once) stay small.
        var slots = new (long Due, long Sent, long End, int? Status)[(int)((until - start) * perSecond / Stopwatch.Frequency) + 1];
        var outstanding = 0;
        string? failure = null;
        var k = 0;
        for (; k < slots.Length; k++)
        {
            var due = start + (long)(k * Stopwatch.Frequency / perSecond);
            if (due >= until) break;
            while (Stopwatch.GetTimestamp() < due) await Task.Delay(1);
            Interlocked.Increment(ref outstanding);
            _ = Send(k, due, next(rng));
        }
        while (Volatile.Read(ref outstanding) > 0) await Task.Delay(10);

        var result = new WorkerResult();
        var late = new List<long>(k);
        foreach (var (due, sent, end, status) in slots.AsSpan(0, k))
        {
            if (due < measureFrom) continue;
            result.Record(sent, end, status, failure, long.MinValue);
            late.Add(sent - due);
        }
        if (Environment.GetEnvironmentVariable("BENCH_TIMELINE") is { Length: > 0 } prefix) WriteTimeline(prefix, name, measureFrom, slots.AsSpan(0, k));
        return Result(name, 0, measureFrom, [result]) with { SendLatenessP99Ms = Percentile(late, 99) };

        async Task Send(int slot, long due, HttpRequestMessage request)
        {
            using (request)
            {
                var sent = Stopwatch.GetTimestamp();
                var (status, body) = await SendAsync(request, failure is null);
                slots[slot] = (due, sent, Stopwatch.GetTimestamp(), status);
                if (body is not null) Interlocked.CompareExchange(ref failure, body, null);
                Interlocked.Decrement(ref outstanding);
            }
        }
    }

    /// <summary>
    /// BENCH_TIMELINE: every measured request of an open loop as `sent,latency,lateness` (milliseconds from the start of
    /// the measured window) in `{prefix}.{name}.csv`, after a first line `# {Unix milliseconds of that start}` to line
    /// it up with the database's log and other samples. For finding what a latency spike coincided with.
    /// </summary>
    private static void WriteTimeline(string prefix, string name, long measureFrom, ReadOnlySpan<(long Due, long Sent, long End, int? Status)> slots)
    {
        static double Ms(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;
        var lines = new List<string>(slots.Length + 1)
        {
            $"# {DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - (long)Ms(Stopwatch.GetTimestamp() - measureFrom)}",
        };
        foreach (var (due, sent, end, _) in slots)
            if (due >= measureFrom) lines.Add(FormattableString.Invariant($"{Ms(sent - measureFrom):0.000},{Ms(end - sent):0.000},{Ms(sent - due):0.000}"));
        var file = string.Join('-', name.Split(name.Where(ch => !char.IsAsciiLetterOrDigit(ch)).Distinct().ToArray(), StringSplitOptions.RemoveEmptyEntries));
        File.WriteAllLines($"{prefix}.{file}.csv", lines);
    }

    private static double Percentile(List<long> ticks, double p)
    {
        if (ticks.Count == 0) return double.NaN;
        ticks.Sort();
        return ticks[Math.Clamp((int)Math.Ceiling(p / 100 * ticks.Count) - 1, 0, ticks.Count - 1)] * 1000.0 / Stopwatch.Frequency;
    }

    public async Task<LoadResult> RunAsync(string name, int workers, TimeSpan warmup, TimeSpan duration, Func<Random, HttpRequestMessage> next)
    {
        var start = Stopwatch.GetTimestamp();
        var measureFrom = start + (long)(warmup.TotalSeconds * Stopwatch.Frequency);
        var until = measureFrom + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var results = await Task.WhenAll(Enumerable.Range(0, workers).Select(i => Task.Run(() => WorkAsync(next, measureFrom, until, i))));
        return Result(name, workers, measureFrom, results);
    }

    /// <summary>
    /// As <see cref="RunAsync"/>, each operation being two requests in a row: <paramref name="first"/>, then
    /// <paramref name="then"/> made from the first's answer (e.g. a hold, then its capture). One latency per pair, from
    /// the first request's sending to the second's answer; a pair whose first request fails counts as that failure.
    /// </summary>
    public async Task<LoadResult> RunPairsAsync(string name, int workers, TimeSpan warmup, TimeSpan duration,
        Func<Random, HttpRequestMessage> first, Func<System.Text.Json.JsonElement, HttpRequestMessage> then)
    {
        var start = Stopwatch.GetTimestamp();
        var measureFrom = start + (long)(warmup.TotalSeconds * Stopwatch.Frequency);
        var until = measureFrom + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var results = await Task.WhenAll(Enumerable.Range(0, workers).Select(i => Task.Run(async () =>
        {
            var rng = new Random(unchecked(Environment.TickCount * 31 + i));
            var result = new WorkerResult();
            while (Stopwatch.GetTimestamp() is var t0 && t0 < until)
            {
                int? status;
                string? body;
                using (var request = first(rng))
                {
                    try
                    {
                        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead);
                        var content = await response.Content.ReadAsByteArrayAsync();
                        status = (int)response.StatusCode;
                        body = status is < 200 or >= 300 ? System.Text.Encoding.UTF8.GetString(content) : null;
                        if (body is null)
                        {
                            using var answer = System.Text.Json.JsonDocument.Parse(content);
                            using var second = then(answer.RootElement);
                            (status, body) = await SendAsync(second, result.Sample is null);
                        }
                    }
                    catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
                    {
                        (status, body) = (null, e.GetType().Name + ": " + e.Message);
                    }
                }
                result.Record(t0, Stopwatch.GetTimestamp(), status, body, measureFrom);
            }
            return result;
        })));
        return Result(name, workers, measureFrom, results);
    }

    private static LoadResult Result(string name, int workers, long measureFrom, WorkerResult[] results)
    {
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
            var (status, body) = await SendAsync(request, result.Sample is null);
            result.Record(t0, Stopwatch.GetTimestamp(), status, body, measureFrom);
        }
        return result;
    }

    /// <summary>The status (null: no answer) and, for a failure when <paramref name="keepBody"/>, what it said.</summary>
    private async Task<(int? Status, string? Body)> SendAsync(HttpRequestMessage request, bool keepBody = true)
    {
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead);
            var status = (int)response.StatusCode;
            // Read the body as a client would; keep one failing body to show what went wrong.
            var content = await response.Content.ReadAsByteArrayAsync();
            return (status, status is < 200 or >= 300 && keepBody ? System.Text.Encoding.UTF8.GetString(content) : null);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
        {
            return (null, e.GetType().Name + ": " + e.Message);
        }
    }

    private sealed class WorkerResult
    {
        /// <summary>Counts a request started at <paramref name="t0"/>, unless that was before the measured window.</summary>
        public void Record(long t0, long t1, int? status, string? body, long measureFrom)
        {
            if (t0 < measureFrom) return;
            LastEnd = Math.Max(LastEnd, t1);
            if (status is null)
            {
                Errors++;
                Sample ??= body;
                return;
            }
            Latencies.Add(t1 - t0);
            Statuses[status.Value] = Statuses.GetValueOrDefault(status.Value) + 1;
            if (status is < 200 or >= 300)
            {
                Non2xx++;
                Sample ??= $"{status}: {body}";
            }
        }

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
    /// <summary>Open loop only: how late the generator sent 99% of the requests (its timers' granularity, or a busy machine).</summary>
    public double? SendLatenessP99Ms { get; init; }

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
