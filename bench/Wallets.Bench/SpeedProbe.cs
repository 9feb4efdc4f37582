using System.Diagnostics;

namespace Wallets.Bench;

/// <summary>
/// How fast the machine is right now: the milliseconds one thread takes for a fixed integer workload, on a quiet
/// machine (taken before and after each scenario, not during it). On a shared virtual machine the same work takes
/// up to twice as long from one minute to the next, with no steal time shown; compare runs only at similar probes.
/// </summary>
public static class SpeedProbe
{
    public static double Milliseconds()
    {
        var watch = Stopwatch.StartNew();
        ulong x = 88172645463325252UL, sum = 0;
        for (var i = 0; i < 100_000_000; i++)
        {
            // xorshift64: nothing the JIT can fold away or vectorize.
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            sum += x;
        }
        GC.KeepAlive(sum);
        return watch.Elapsed.TotalMilliseconds;
    }
}
