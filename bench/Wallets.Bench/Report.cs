using System.Text;

namespace Wallets.Bench;

/// <summary>The results table (Markdown), with the goals of the issue checked against it. Numbers print invariant (InvariantGlobalization).</summary>
public sealed class Report(BenchOptions options)
{
    private readonly List<(LoadResult Load, CpuShare Cpu, (double Rss, double Peak)? Memory, (double Before, double After) Probe, double CpuRequestsPerSecond)> _rows = [];
    private readonly List<string> _notes = [];

    public bool AnyErrors => _rows.Any(r => r.Load.Errors > 0 || r.Load.Non2xx > 0);

    /// <param name="probe"><see cref="SpeedProbe"/> before and after the scenario.</param>
    /// <param name="cpuRequestsPerSecond">All requests the CPU numbers paid for, when another load ran at the same time.</param>
    public void Add(LoadResult load, CpuShare cpu, (double Rss, double Peak)? memory, (double Before, double After) probe, double cpuRequestsPerSecond)
    {
        _rows.Add((load, cpu, memory, probe, cpuRequestsPerSecond));
        Console.Error.WriteLine($"bench:   {load.RequestsPerSecond:0} req/s, p50 {load.PercentileMs(50):0.0} ms, p99 {load.PercentileMs(99):0.0} ms, " +
            $"{load.Errors} errors, {load.Non2xx} non-2xx{(load.FailureSample is { } s ? $" (e.g. {Cut(s)})" : "")}");
    }

    public void Note(string note) => _notes.Add(note);

    public string Render()
    {
        var md = new StringBuilder();
        md.AppendLine($"Closed loop, {options.Concurrency} workers (d3 and e: {options.ListConcurrency}; h: open loop at fixed rates, shown as 0 workers), {options.Seconds} s measured after {options.WarmupSeconds} s warm-up (and {options.ServerWarmupSeconds} s of mixed requests before the first scenario), {options.Wallets} wallets.");
        md.AppendLine();
        md.AppendLine("| scenario | workers | req/s | p50 ms | p90 ms | p99 ms | max ms | errors | non-2xx | CPU % server / postgres / bench / others / steal (of 200) | CPU ms per request server / postgres | server RSS MiB | speed probe ms before / after |");
        md.AppendLine("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
        foreach (var (load, cpu, memory, probe, cpuRps) in _rows)
        {
            md.AppendLine(
                $"| {load.Name} | {load.Workers} | {load.RequestsPerSecond:0} | {load.PercentileMs(50):0.0} | {load.PercentileMs(90):0.0} | {load.PercentileMs(99):0.0} | {load.MaxMs:0.0} " +
                $"| {load.Errors} | {load.Non2xx} | {cpu.Server:0} / {cpu.Postgres:0} / {cpu.Bench:0} / {cpu.Others:0} / {cpu.Steal:0} | {cpu.Server * 10 / cpuRps:0.00} / {cpu.Postgres * 10 / cpuRps:0.00} | {(memory is { } m ? $"{m.Rss:0}" : "–")} | {probe.Before:0} / {probe.After:0} |");
        }
        md.AppendLine();
        md.AppendLine("- CPU: percent of one core during the measured window; \"others\" is everything else on the machine (other builds, other databases' backends); \"steal\" is time the hypervisor gave our cores to other machines, which also inflates every process's CPU per request — numbers taken while others or steal were high understate the service; CPU per request (d2, h, j: per request of both loads) is the steadier number.");
        foreach (var note in _notes) md.AppendLine($"- {note}");
        md.AppendLine("- Speed probe: one thread's milliseconds for a fixed integer loop on the quiet machine, just before and after the scenario. On this kind of shared virtual machine it varies up to twofold from minute to minute, steal or not; compare runs only at similar probes.");
        foreach (var (load, _, _, _, _) in _rows.Where(r => r.Load.SendLatenessP99Ms is not null))
            md.AppendLine($"- {load.Name}: open loop, latency from each request's sending; the generator sent 99% of them within {load.SendLatenessP99Ms:0.0} ms of schedule.");
        foreach (var (load, _, _, _, _) in _rows.Where(r => r.Load.FailureSample is not null))
            md.AppendLine($"- {load.Name}: first failure: `{Cut(load.FailureSample!)}`");
        if (_rows.LastOrDefault().Memory is { } last) md.AppendLine($"- Server peak RSS (VmHWM) after the last scenario: {last.Peak:0} MiB.");

        md.AppendLine();
        md.AppendLine("Goals (2 cores shared by the API, PostgreSQL and the load generator):");
        md.AppendLine();
        Goal(md, "b. voids, many wallets", "≥ 2,000 debits/s across many wallets", r => r.Ok2xxPerSecond >= 2000, r => $"{r.Ok2xxPerSecond:0}/s");
        Goal(md, "c. voids, one hot wallet", "≥ 500 debits/s on one hot wallet", r => r.Ok2xxPerSecond >= 500, r => $"{r.Ok2xxPerSecond:0}/s");
        Goal(md, "d1. balance reads", "balance read p99 ≤ 10 ms", r => r.PercentileMs(99) <= 10, r => $"p99 {r.PercentileMs(99):0.0} ms");
        Goal(md, "d2. balance reads, under b-load", "balance read p99 ≤ 10 ms under void load", r => r.PercentileMs(99) <= 10, r => $"p99 {r.PercentileMs(99):0.0} ms");
        Goal(md, "f. single events", "≥ 3,000 single events/s with p99 ≤ 50 ms", r => r.Ok2xxPerSecond >= 3000 && r.PercentileMs(99) <= 50,
            r => $"{r.Ok2xxPerSecond:0}/s, p99 {r.PercentileMs(99):0.0} ms");
        Goal(md, "g. event batches (100)", "≥ 30,000 batched events/s", r => r.Ok2xxPerSecond * 100 >= 30000, r => $"{r.Ok2xxPerSecond * 100:0} events/s");
        Goal(md, "h. balance reads, under events", $"balance read p99 ≤ 10 ms while {options.HEventsPerSecond:N0} events/s stream in",
            r => r.PercentileMs(99) <= 10, r => $"p99 {r.PercentileMs(99):0.0} ms at {r.RequestsPerSecond:0} reads/s");
        return md.ToString();
    }

    private void Goal(StringBuilder md, string scenario, string goal, Func<LoadResult, bool> met, Func<LoadResult, string> shown)
    {
        var row = _rows.FirstOrDefault(r => r.Load.Name == scenario).Load;
        if (row is null) return;
        md.AppendLine($"- {goal}: **{(met(row) && row.Errors == 0 && row.Non2xx == 0 ? "met" : "MISSED")}** ({shown(row)})");
    }

    private static string Cut(string text) => (text.Length > 300 ? text[..300] + "…" : text).ReplaceLineEndings(" ").Replace('`', '\'');
}
