using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using Wallets.Api.Data;
using Wallets.Api.Features.Alerts;
using Wallets.Api.Features.Wallets;
using Wallets.Api.Features.Webhooks;
using Wallets.Api.Http;
using Wallets.Api.Ledger;

namespace Wallets.Api.Jobs;

/// <summary>
/// Follows the real-time ongoing balance, every <c>Jobs:OngoingBalanceMilliseconds</c> (default 500): the customers
/// marked in <see cref="OngoingBalanceChanges"/> since the previous round (events stored, balances moved, in this process)
/// are read a few hundred at a time, without a lock, at the ongoing balances GET /wallets shows. Only the customers with
/// something to do then take their lock: a wallet whose ongoing balance left its ongoing-alert band (0021), or whose
/// `depleted_ongoing_balance` flag differs from the one stored. Under the lock the balances are computed again and, in
/// one transaction, the ongoing-balance alerts are evaluated (<see cref="AlertEvaluation.OngoingCommand"/>, `alert.triggered`)
/// and the flag stored, with `wallet.depleted_ongoing_balance` when it turns true. The stored values decide, so rounds
/// that overlap, in one process or several, send each crossing and each depletion once. The marks live in this process's
/// memory, so the first round after a start, and one every <c>Jobs:OngoingBalanceSweepMinutes</c> (default 5, Lago's
/// cadence), also takes every customer that has an active wallet and an active subscription or a depleted wallet: a
/// change whose process died before its round, or that no mark follows (a subscription ending), is evaluated then.
/// </summary>
public sealed class OngoingBalanceJob(
    IServiceScopeFactory scopes, OngoingBalanceChanges changes, TimeProvider clock, ILogger<OngoingBalanceJob> logger, IConfiguration configuration)
    : ClockJob(clock, logger)
{
    public const string DepletedType = "wallet.depleted_ongoing_balance";

    /// <summary>Customers read (and locked) together.</summary>
    private const int Chunk = 200;

    private const string SweepSql = """
        SELECT DISTINCT w.customer_id, w.organization_id FROM wallets w
        WHERE w.status = 'active' AND (w.depleted_ongoing_balance
            OR EXISTS (SELECT 1 FROM subscriptions s WHERE s.customer_id = w.customer_id AND s.status = 'active'))
        """;

    private DateTimeOffset? _sweptAt;

    protected override TimeSpan Period => TimeSpan.FromMilliseconds(Math.Clamp(configuration.GetValue("Jobs:OngoingBalanceMilliseconds", 500), 50, 1000));

    private TimeSpan SweepEvery => TimeSpan.FromMinutes(Math.Max(1, configuration.GetValue("Jobs:OngoingBalanceSweepMinutes", 5)));

    /// <summary>Marks every customer whose ongoing balance may need a look, on the first round and every few minutes.</summary>
    private async Task SweepAsync(CancellationToken ct)
    {
        var now = Clock.GetUtcNow();
        if (_sweptAt is { } swept && now - swept < SweepEvery) return;
        using var scope = scopes.CreateScope();
        await using var command = scope.ServiceProvider.GetRequiredService<NpgsqlDataSource>().CreateCommand(SweepSql);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) changes.Mark(reader.GetGuid(1), reader.GetGuid(0));
        _sweptAt = now;
    }

    /// <summary>One round; returns the number of customers evaluated under their lock.</summary>
    public override async Task<int> RunOnceAsync(CancellationToken ct)
    {
        await SweepAsync(ct);
        var evaluated = 0;
        foreach (var organization in changes.Take().GroupBy(c => c.Value, c => c.Key))
        {
            foreach (var customers in organization.Chunk(Chunk))
            {
                try
                {
                    evaluated += await EvaluateAsync(organization.Key, customers, ct);
                }
                catch (Exception e)
                {
                    // Nothing of the chunk was written: its customers are evaluated again next round.
                    foreach (var customer in customers) changes.Mark(organization.Key, customer);
                    if (ct.IsCancellationRequested) throw;
                    logger.LogError(e, "Evaluating the ongoing balances of {Count} customers failed; trying again next round", customers.Length);
                }
            }
        }
        return evaluated;
    }

    private async Task<int> EvaluateAsync(Guid organizationId, Guid[] customerIds, CancellationToken ct)
    {
        using var scope = scopes.CreateScope();
        scope.ServiceProvider.GetRequiredService<Tenant>().OrganizationId = organizationId;
        var db = scope.ServiceProvider.GetRequiredService<WalletsDbContext>();
        var ongoing = scope.ServiceProvider.GetRequiredService<OngoingBalances>();
        var due = await DueAsync(db, ongoing, customerIds, ct);
        if (due.Length == 0) return 0;

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.LockCustomersAsync(due, ct);
        var wallets = await db.Wallets.Include(w => w.Customer).Where(w => due.Contains(w.CustomerId) && w.Status == WalletStatus.Active).ToListAsync(ct);
        var usage = await ongoing.UsageOfAsync(wallets, db, ct);
        var now = Clock.GetUtcNow();
        var flipped = wallets.Where(w => WalletView.IsDepleted(w.BalanceCents, usage.GetValueOrDefault(w.Id)) != w.DepletedOngoingBalance).ToList();

        await using (var batch = new NpgsqlBatch((NpgsqlConnection)db.Database.GetDbConnection(), (NpgsqlTransaction)tx.GetDbTransaction()))
        {
            batch.BatchCommands.Add(AlertEvaluation.OngoingCommand(wallets.Select(w => w.Id).ToArray(),
                wallets.Select(w => w.BalanceCents - usage.GetValueOrDefault(w.Id)).ToArray(), now));
            if (flipped.Count > 0)
            {
                batch.BatchCommands.Add(LedgerChanges.Command(
                    "UPDATE wallets w SET depleted_ongoing_balance = f.depleted FROM unnest($1::uuid[], $2::boolean[]) AS f (id, depleted) WHERE w.id = f.id",
                    flipped.Select(w => w.Id).ToArray(), flipped.Select(w => !w.DepletedOngoingBalance).ToArray()));
            }
            await batch.ExecuteNonQueryAsync(ct);
        }

        var depleted = flipped.Where(w => !w.DepletedOngoingBalance).ToList();
        if (depleted.Count > 0 && await db.AnySubscribedAsync(organizationId, DepletedType, ct))
        {
            var ids = depleted.Select(w => w.Id).ToList();
            var rules = await db.RecurringTransactionRules.Where(r => ids.Contains(r.WalletId) && r.Status == WalletStatus.Active).ToListAsync(ct);
            foreach (var wallet in depleted) wallet.ActiveRule = rules.FirstOrDefault(r => r.WalletId == wallet.Id);
            await db.EnqueueAsync(depleted.Select(w => new WebhookMessage(organizationId, DepletedType, "wallet",
                WalletView.From(w, w.Customer.ExternalId, usage.GetValueOrDefault(w.Id)))).ToList(), now, ct);
        }
        await tx.CommitAsync(ct);
        return due.Length;
    }

    /// <summary>
    /// The customers with something to do, by their ongoing balances read as a wallet read reads them (no lock): a wallet
    /// out of its ongoing-alert band, or whose depleted flag would change. The others cost this read only.
    /// </summary>
    private static async Task<Guid[]> DueAsync(WalletsDbContext db, OngoingBalances ongoing, Guid[] customerIds, CancellationToken ct)
    {
        var rows = await db.Database.SqlQuery<OngoingWallet>($"""
            SELECT id AS "Id", organization_id AS "OrganizationId", customer_id AS "CustomerId", currency AS "Currency", rate_amount AS "RateAmount",
                   balance_cents AS "BalanceCents", depleted_ongoing_balance AS "Depleted", ongoing_alert_floor_cents AS "Floor",
                   ongoing_alert_ceiling_cents AS "Ceiling",
                   EXISTS (SELECT 1 FROM subscriptions s WHERE s.customer_id = w.customer_id AND s.status = 'active') AS "Subscribed"
            FROM wallets w WHERE customer_id = ANY ({customerIds}) AND status = 'active'
            """).ToListAsync(ct);
        if (rows.Count == 0) return [];
        // A customer without an active subscription has no usage: its ongoing balances are its balances, with no read.
        var wallets = rows.Where(r => r.Subscribed).Select(r => new Wallet
        {
            Id = r.Id, OrganizationId = r.OrganizationId, CustomerId = r.CustomerId, Code = "", Currency = r.Currency, RateAmount = r.RateAmount,
            BalanceCents = r.BalanceCents,
        }).ToList();
        var usage = await ongoing.UsageOfAsync(wallets, null, ct);
        return rows.Where(r =>
            {
                var used = usage.GetValueOrDefault(r.Id);
                var balance = r.BalanceCents - used;
                return WalletView.IsDepleted(r.BalanceCents, used) != r.Depleted || balance <= r.Floor || balance > r.Ceiling;
            })
            .Select(r => r.CustomerId).Distinct().ToArray();
    }

    private sealed class OngoingWallet
    {
        public Guid Id { get; init; }
        public Guid OrganizationId { get; init; }
        public Guid CustomerId { get; init; }
        public string Currency { get; init; } = "";
        public decimal RateAmount { get; init; }
        public long BalanceCents { get; init; }
        public bool Depleted { get; init; }
        public long? Floor { get; init; }
        public long? Ceiling { get; init; }
        public bool Subscribed { get; init; }
    }
}
