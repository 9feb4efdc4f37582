using System.Collections.Concurrent;

namespace Wallets.Api.Features.Events;

/// <summary>
/// Which copy ("shard") of its usage rows an ingestion statement adds count, sum and unique-count usage to. A statement
/// holds its usage rows' locks until it commits, so two statements on the same rows would run one after the other;
/// with one shard each while in flight they never wait on each other. Readers add the shards up
/// (<see cref="Usage.UsageCalculator.Price"/>). With several API processes two statements may share a shard: they then
/// wait for each other as before, which costs time, never a count.
/// </summary>
internal static class UsageShards
{
    /// <summary>At most this many rows per usage row: more statements than this in flight share shards.</summary>
    public const short Count = 16;

    // Last in, first out: without concurrency every statement takes shard 0, so a usage row has as many shards as
    // statements ever ran at once on it, not Count.
    private static readonly ConcurrentStack<short> Free = new(Enumerable.Range(0, Count).Select(i => (short)(Count - 1 - i)));

    /// <summary>A free shard (given back with <see cref="Return"/>), or, when all are taken, any shard, not to be given back.</summary>
    public static (short Shard, bool Rented) Rent() =>
        Free.TryPop(out var shard) ? (shard, true) : ((short)Random.Shared.Next(Count), false);

    public static void Return((short Shard, bool Rented) lease)
    {
        if (lease.Rented) Free.Push(lease.Shard);
    }
}
