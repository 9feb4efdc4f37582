namespace Wallets.Api.Tests.Infrastructure;

/// <summary>A clock the tests move by hand. Each reading also ticks 1 ms, so rows get distinct, ordered times.</summary>
public sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private long _ticks = start.UtcTicks;

    public override DateTimeOffset GetUtcNow() =>
        new(Interlocked.Add(ref _ticks, TimeSpan.TicksPerMillisecond), TimeSpan.Zero);

    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);

    /// <summary>Moves the clock forward to <paramref name="at"/> (never back: other tests share it).</summary>
    public void AdvanceTo(DateTimeOffset at)
    {
        var by = at.UtcTicks - Interlocked.Read(ref _ticks);
        if (by < 0) throw new InvalidOperationException($"the clock is already past {at:O}");
        Advance(TimeSpan.FromTicks(by));
    }
}
