using Npgsql;
using Wallets.Api.Ledger;

namespace Wallets.Api.Jobs;

/// <summary>
/// Writes the expiry of grants on wallets nothing touches (a wallet's own changes write its due expiries first, see
/// <see cref="ExpiryVoids"/>): every `Jobs:GrantExpirySeconds` (default 1), the wallets whose next expiry has passed,
/// found by index, a hundred per transaction under their customers' locks. Safe with several API processes: whoever
/// locks a wallet second finds nothing due. A batch that fails is done again one wallet at a time, and a wallet that
/// fails alone is logged, counted (`wallets.grant_expiry.failed`) and tried again next round; the round pages past it.
/// </summary>
public sealed class GrantExpiryJob(
    NpgsqlDataSource dataSource, JobMetrics metrics, IConfiguration configuration, TimeProvider clock, ILogger<GrantExpiryJob> logger)
    : ClockJob(clock, logger)
{
    private const int Batch = 100;

    protected override TimeSpan Period => TimeSpan.FromSeconds(Math.Max(0.1, configuration.GetValue("Jobs:GrantExpirySeconds", 1.0)));

    // The next due wallets in (next_expiration_at, id) order after a position, by the wallets_next_expiration index.
    private const string DueSql = """
        SELECT id, next_expiration_at FROM wallets
        WHERE next_expiration_at <= $1 AND (next_expiration_at, id) > ($2, $3)
        ORDER BY next_expiration_at, id LIMIT $4
        """;

    /// <summary>One round; returns how many grants' expiries it wrote.</summary>
    public override async Task<int> RunOnceAsync(CancellationToken ct)
    {
        var now = Clock.GetUtcNow();
        var voided = 0;
        var after = (At: DateTimeOffset.MinValue, Id: Guid.Empty);
        while (true)
        {
            var page = new List<(DateTimeOffset At, Guid Id)>();
            await using (var command = dataSource.CreateCommand(DueSql))
            {
                command.Parameters.Add(new NpgsqlParameter { Value = now });
                command.Parameters.Add(new NpgsqlParameter { Value = after.At });
                command.Parameters.Add(new NpgsqlParameter { Value = after.Id });
                command.Parameters.Add(new NpgsqlParameter { Value = Batch });
                await using var reader = await command.ExecuteReaderAsync(ct);
                while (await reader.ReadAsync(ct)) page.Add((reader.GetFieldValue<DateTimeOffset>(1), reader.GetGuid(0)));
            }
            if (page.Count == 0) return voided;
            voided += await ExpireAsync(page.ConvertAll(p => p.Id), ct);
            if (page.Count < Batch) return voided;
            after = page[^1];
        }
    }

    private async Task<int> ExpireAsync(List<Guid> walletIds, CancellationToken ct)
    {
        try
        {
            return await Expire(walletIds, ct);
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            if (walletIds.Count == 1)
            {
                metrics.GrantExpiriesFailed.Add(1);
                logger.LogError(e, "Expiring the grants of wallet {Wallet} failed; it is tried again on the next round", walletIds[0]);
                return 0;
            }
            // One wallet's failure must not hold the others back: each alone.
            var voided = 0;
            foreach (var id in walletIds) voided += await ExpireAsync([id], ct);
            return voided;
        }
    }

    private async Task<int> Expire(List<Guid> walletIds, CancellationToken ct)
    {
        var voided = await ExpiryVoids.ExpireWalletsAsync(dataSource, [.. walletIds], Clock.GetUtcNow(), ct);
        metrics.GrantsExpired.Add(voided);
        return voided;
    }
}
