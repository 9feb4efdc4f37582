using System.Collections.Concurrent;

namespace Wallets.Api.Features.Events;

/// <summary>
/// Which copy ("shard") of its usage rows an ingestion statement adds count, sum and unique-count usage to. A statement
/// holds its usage rows' locks until it commits, so two statements on the same rows would run one after the other;
/// with one shard each while in flight they never wait on each other. Readers add the shards up
/// (<see cref="Usage.UsageCalculator.Price"/>), and <see cref="Jobs.UsageShardFoldJob"/> folds quiet ones into shard 0.
/// Each API process takes its shards from its own window of <see cref="Count"/>, picked at random among 64, so the
/// processes behind one load balancer rarely share one (if two do, their statements wait for each other as they would
/// without shards, which costs time, never a count).
/// </summary>
internal static class UsageShards
{
    /// <summary>At most this many rows per usage row and process: more statements than this in flight share shards.</summary>
    public const short Count = 16;

    private const int Windows = 64;

    /// <summary>This process's first shard (never 0, which max_agg, latest_agg and the fold job use).</summary>
    public static readonly short First = (short)(1 + Random.Shared.Next(Windows) * Count);

    // Last in, first out: without concurrency every statement takes the first shard, so a usage row has as many shards
    // as statements ever ran at once on it, not Count.
    private static readonly ConcurrentStack<short> Free = new(Enumerable.Range(0, Count).Select(i => (short)(First + Count - 1 - i)));

    /// <summary>A free shard (given back with <see cref="Return"/>), or, when all are taken, any of this process's, not to be given back.</summary>
    public static (short Shard, bool Rented) Rent() =>
        Free.TryPop(out var shard) ? (shard, true) : ((short)(First + Random.Shared.Next(Count)), false);

    public static void Return((short Shard, bool Rented) lease)
    {
        if (lease.Rented) Free.Push(lease.Shard);
    }
}
