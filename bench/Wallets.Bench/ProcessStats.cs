namespace Wallets.Bench;

/// <summary>
/// CPU time of the parties sharing the machine (the API server, PostgreSQL's processes working for it, this load
/// generator, and everything else), read from /proc, so a scenario shows who used the two cores. PostgreSQL backends
/// of other databases count as "others". Linux only; elsewhere everything reads as zero.
/// </summary>
public sealed class ProcessStats(int? serverPid, string database)
{
    private const double TicksPerSecond = 100; // USER_HZ, 100 on every Linux architecture .NET runs on

    public CpuSample Sample() => new(
        DateTime.UtcNow,
        serverPid is { } pid ? CpuTicks(pid) : 0,
        PostgresTicks(),
        CpuTicks(Environment.ProcessId),
        SystemTicks());

    /// <summary>Percent of one core used by each party between two samples (two cores = 200%).</summary>
    public static CpuShare Between(CpuSample from, CpuSample to)
    {
        var seconds = Math.Max((to.At - from.At).TotalSeconds, 0.001);
        double Pct(long a, long b) => (b - a) / TicksPerSecond / seconds * 100;
        var pg = to.Postgres.Sum(p => p.Value - from.Postgres.GetValueOrDefault(p.Key));
        var (server, postgres, bench) = (Pct(from.Server, to.Server), pg / TicksPerSecond / seconds * 100, Pct(from.Bench, to.Bench));
        return new CpuShare(server, postgres, bench, Math.Max(0, Pct(from.System.Busy, to.System.Busy) - server - postgres - bench),
            Pct(from.System.Steal, to.System.Steal));
    }

    /// <summary>The server's resident memory now and at its peak (VmRSS, VmHWM), in MiB.</summary>
    public (double Rss, double Peak)? ServerMemory()
    {
        if (serverPid is not { } pid) return null;
        try
        {
            double Kb(string[] lines, string key) =>
                lines.Where(l => l.StartsWith(key, StringComparison.Ordinal)).Select(l => double.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1])).FirstOrDefault();
            var lines = File.ReadAllLines($"/proc/{pid}/status");
            return (Kb(lines, "VmRSS:") / 1024, Kb(lines, "VmHWM:") / 1024);
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static long CpuTicks(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return long.Parse(fields[11]) + long.Parse(fields[12]); // utime + stime (fields 14 and 15)
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return 0;
        }
    }

    /// <summary>Busy share of the machine (steal included) over one second, in percent of one core (the "is anyone else working?" check).</summary>
    public static async Task<double> BusyAsync(TimeSpan over)
    {
        static long Taken() => SystemTicks() is var (busy, steal) ? busy + steal : 0;
        var from = (At: DateTime.UtcNow, Busy: Taken());
        await Task.Delay(over);
        return (Taken() - from.Busy) / TicksPerSecond / Math.Max((DateTime.UtcNow - from.At).TotalSeconds, 0.001) * 100;
    }

    private Dictionary<int, long> PostgresTicks()
    {
        var ticks = new Dictionary<int, long>();
        if (!Directory.Exists("/proc")) return ticks;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            try
            {
                if (File.ReadAllText(Path.Combine(dir, "comm")).Trim() != "postgres") continue;
                // "postgres: 15/main: user db 127.0.0.1(port) …" is a backend; the WAL writer, checkpointer … serve everyone.
                var title = File.ReadAllText(Path.Combine(dir, "cmdline"));
                var backend = title.Contains("127.0.0.1(", StringComparison.Ordinal) || title.Contains("[local]", StringComparison.Ordinal);
                if (!backend || title.Contains($" {database} ", StringComparison.Ordinal)) ticks[pid] = CpuTicks(pid);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The process ended while we looked.
            }
        }
        return ticks;
    }

    /// <summary>
    /// The machine's busy ticks (all but idle, iowait and steal) and its steal: time the hypervisor gave our virtual CPUs
    /// to someone else. The kernel may charge stolen time to whichever process was running, so under steal every party
    /// seems to need more CPU per request; a run with steal is a noisy run.
    /// </summary>
    private static (long Busy, long Steal) SystemTicks()
    {
        try
        {
            // cpu  user nice system idle iowait irq softirq steal …
            var cpu = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(long.Parse).ToArray();
            return (cpu.Take(7).Sum() - cpu[3] - cpu[4], cpu[7]);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return (0, 0);
        }
    }
}

public sealed record CpuSample(DateTime At, long Server, Dictionary<int, long> Postgres, long Bench, (long Busy, long Steal) System);

public sealed record CpuShare(double Server, double Postgres, double Bench, double Others, double Steal);
