using Npgsql;

namespace Wallets.Api.Jobs;

/// <summary>
/// Folds usage shards back into shard 0. Concurrent ingestion statements add to their own shard of a usage row
/// (<see cref="Features.Events.UsageShards"/>), so a row busy enough has up to 16 copies per API process, which every
/// reader adds up.
/// Once a shard has not been written for <see cref="QuietFor"/>, this moves its units and events into shard 0 and
/// deletes it, in one statement per chunk: a reader sees the shards or their sum, never both or neither. Shards
/// an ingestion statement holds are skipped (SKIP LOCKED), so several API processes can run it at once.
/// </summary>
public sealed class UsageShardFoldJob(NpgsqlDataSource dataSource, TimeProvider clock, ILogger<UsageShardFoldJob> logger) : ClockJob(clock, logger)
{
    public static readonly TimeSpan QuietFor = TimeSpan.FromMinutes(1);

    private const int Chunk = 1000;

    // $1: shards last written before this are folded; $2: the chunk size. Answers how many shards it folded. Ingestion
    // never adds to shard 0 (only max_agg and latest_agg rows live there, of other charges), and folds lock shard 0
    // rows in key order. A statement adding to a shard being folded waits, then writes a new shard row.
    // (charge_usage_unfolded finds the shards: not on updated_at, which would make every usage update a non-HOT one.)
    private const string Sql = """
        WITH picked AS (
            SELECT ctid FROM charge_usage WHERE shard > 0 AND updated_at < $1 LIMIT $2 FOR UPDATE SKIP LOCKED
        ),
        moved AS (
            DELETE FROM charge_usage u WHERE u.ctid = ANY (ARRAY(SELECT ctid FROM picked))
            RETURNING u.organization_id, u.subscription_id, u.charge_id, u.period_from, u.target_wallet_code, u.units, u.events_count, u.updated_at
        ),
        folded AS (
            INSERT INTO charge_usage AS u (organization_id, subscription_id, charge_id, period_from, target_wallet_code, shard, units, events_count, latest_at, updated_at)
            SELECT organization_id, subscription_id, charge_id, period_from, target_wallet_code, 0, sum(units), sum(events_count), NULL, max(updated_at)
            FROM moved GROUP BY organization_id, subscription_id, charge_id, period_from, target_wallet_code
            ORDER BY subscription_id, charge_id, period_from, target_wallet_code
            ON CONFLICT (subscription_id, charge_id, period_from, target_wallet_code, shard) DO UPDATE
            SET units = u.units + excluded.units, events_count = u.events_count + excluded.events_count,
                updated_at = GREATEST(u.updated_at, excluded.updated_at)
        )
        SELECT count(*)::int FROM moved
        """;

    protected override TimeSpan Period => TimeSpan.FromMinutes(1);

    /// <returns>How many shard rows were folded.</returns>
    public override async Task<int> RunOnceAsync(CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var total = 0;
        while (true)
        {
            await using var command = new NpgsqlCommand(Sql, connection);
            command.Parameters.Add(new NpgsqlParameter { Value = Clock.GetUtcNow() - QuietFor });
            command.Parameters.Add(new NpgsqlParameter { Value = Chunk });
            int folded;
            try
            {
                folded = (int)(await command.ExecuteScalarAsync(ct))!;
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.DeadlockDetected)
            {
                // Not expected (see above), but never fatal: the rest waits for the next round.
                return total;
            }
            total += folded;
            if (folded < Chunk) return total;
        }
    }
}
