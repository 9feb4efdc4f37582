using Npgsql;
using Wallets.Api.Data;
using Wallets.Api.Http;

namespace Wallets.Api.Features.Wallets;

/// <summary>One point of a wallet's balance history.</summary>
public sealed record BalancePoint(DateTimeOffset At, long BalanceCents, long ConsumedAmountCents);

/// <summary>
/// Balances at past instants, from the history the ledger writes with every balance change
/// (`wallet_balance_changes`): the latest change at or before an instant is that instant's balance, one index lookup
/// each, however long the wallet's history. Before its first change a wallet holds nothing.
/// </summary>
public sealed class WalletBalances(NpgsqlDataSource dataSource, Tenant tenant)
{
    // One index lookup per instant (wallet_balance_changes_at), in the order the instants are given.
    private const string PointsSql = """
        SELECT p.at, COALESCE(h.balance_cents, 0), COALESCE(h.consumed_amount_cents, 0)
        FROM unnest($2::timestamptz[]) WITH ORDINALITY AS p (at, n)
        LEFT JOIN LATERAL (
            SELECT balance_cents, consumed_amount_cents FROM wallet_balance_changes
            WHERE wallet_id = $1 AND at <= p.at ORDER BY at DESC, seq DESC LIMIT 1) h ON true
        ORDER BY p.n
        """;

    /// <summary>The tenant's wallet now, with its balances at <paramref name="at"/>; null when there is none, or it did not exist yet.</summary>
    public async Task<(Wallet Wallet, BalancePoint Point)?> WalletAtAsync(Guid walletId, DateTimeOffset at, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var batch = new NpgsqlBatch(connection);
        batch.BatchCommands.Add(Command($"{WalletReads.Select} WHERE w.organization_id = $1 AND w.id = $2", tenant.OrganizationId, walletId));
        batch.BatchCommands.Add(Command(PointsSql, walletId, new[] { at }));
        await using var reader = await batch.ExecuteReaderAsync(ct);
        var read = await reader.ReadAsync(ct) ? WalletReads.Map(reader, tenant.OrganizationId) : null;
        await reader.NextResultAsync(ct);
        await reader.ReadAsync(ct);
        if (read is null || read.Wallet.CreatedAt > at) return null;
        return (read.Wallet, new BalancePoint(at, reader.GetInt64(1), reader.GetInt64(2)));
    }

    /// <summary>The balances at <paramref name="instants"/> of a wallet of the tenant (which the caller found), in their order.</summary>
    public async Task<List<BalancePoint>> PointsAsync(Guid walletId, DateTimeOffset[] instants, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(PointsSql);
        command.Parameters.Add(new NpgsqlParameter { Value = walletId });
        command.Parameters.Add(new NpgsqlParameter { Value = instants });
        await using var reader = await command.ExecuteReaderAsync(ct);
        var points = new List<BalancePoint>(instants.Length);
        while (await reader.ReadAsync(ct)) points.Add(new BalancePoint(reader.GetFieldValue<DateTimeOffset>(0), reader.GetInt64(1), reader.GetInt64(2)));
        return points;
    }

    /// <summary>
    /// The wallet object with the balances and status of that instant; its ongoing balance is its balance (no usage
    /// was pending in the past). Timestamps after the instant are left out; settings (name, rules, limits) are today's.
    /// </summary>
    public static WalletView AsOf(Wallet wallet, BalancePoint point)
    {
        var rate = wallet.Rate;
        var terminated = wallet.TerminatedAt is { } end && end <= point.At;
        var credits = rate.FromCents(point.BalanceCents).Credits;
        return WalletView.From(wallet, wallet.Customer.ExternalId, 0) with
        {
            Status = terminated ? WalletStatus.Terminated : WalletStatus.Active,
            TerminatedAt = terminated ? wallet.TerminatedAt : null,
            BalanceCents = point.BalanceCents, CreditsBalance = credits, ConsumedCredits = rate.FromCents(point.ConsumedAmountCents).Credits,
            OngoingBalanceCents = point.BalanceCents, CreditsOngoingBalance = credits, OngoingUsageBalanceCents = 0, CreditsOngoingUsageBalance = 0,
            DepletedOngoingBalance = false,
            LastBalanceSyncAt = wallet.LastBalanceSyncAt > point.At ? null : wallet.LastBalanceSyncAt,
            LastConsumedCreditAt = wallet.LastConsumedCreditAt > point.At ? null : wallet.LastConsumedCreditAt,
        };
    }

    private static NpgsqlBatchCommand Command(string sql, params object[] values)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var value in values) command.Parameters.Add(new NpgsqlParameter { Value = value });
        return command;
    }
}
