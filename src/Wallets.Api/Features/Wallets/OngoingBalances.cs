using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using Wallets.Api.Data;
using Wallets.Api.Features.Usage;
using Wallets.Domain.Allocation;

namespace Wallets.Api.Features.Wallets;

/// <summary>
/// The real-time balance (DESIGN.md 14, behavior.md §4.3): the customer's current usage, taxes included, spread over
/// its active wallets by <see cref="OngoingUsageAllocator"/>, computed when wallets are read. It follows every event
/// at once, because events are aggregated into charge_usage as they are stored. A read, for a whole page of wallets,
/// is one round trip (the customers' active wallets and their subscriptions' latest usage rows) plus pricing from
/// <see cref="PricingCatalog"/>; it never scans events.
/// </summary>
public sealed class OngoingBalances(NpgsqlDataSource dataSource, PricingCatalog catalog, TimeProvider clock)
{
    /// <summary>
    /// The same for wallets read by <see cref="WalletReads"/> (from the pool, outside any transaction, as they were): a customer
    /// without an active subscription has no usage, so costs no query.
    /// </summary>
    public Task<IReadOnlyDictionary<Guid, long>> UsageOfAsync(IEnumerable<WalletRead> wallets, CancellationToken ct) =>
        UsageOfAsync(wallets.Where(w => w.Subscribed).Select(w => w.Wallet).ToList(), null, ct);

    /// <summary>The usage allocated to each given wallet (absent = 0: terminated wallets, customers without usage).</summary>
    /// <param name="inTransaction">The request's context while it holds a transaction: a wallet this request created or changed is seen as it now is.</param>
    public async Task<IReadOnlyDictionary<Guid, long>> UsageOfAsync(IReadOnlyCollection<Wallet> wallets, WalletsDbContext? inTransaction, CancellationToken ct)
    {
        var shown = wallets.Where(w => w.IsActive).ToList();
        if (shown.Count == 0) return Empty;
        var organizationId = shown[0].OrganizationId;
        var now = clock.GetUtcNow();
        var commands = SnapshotCommands(OfCustomers, organizationId, shown.Select(w => w.CustomerId).Distinct().ToArray(), now);
        var transaction = (NpgsqlTransaction?)inTransaction?.Database.CurrentTransaction?.GetDbTransaction();
        Snapshot snapshot;
        if (transaction is not null) snapshot = await SnapshotAsync(transaction.Connection!, transaction, commands, organizationId, ct);
        else
        {
            // Straight from the pool (EF Core's connection handling costs more than this read), and back before pricing.
            await using var connection = await dataSource.OpenConnectionAsync(ct);
            snapshot = await SnapshotAsync(connection, null, commands, organizationId, ct);
        }
        return await AllocateAsync(organizationId, snapshot, transaction is null ? null : inTransaction, now, ct);
    }

    /// <summary>
    /// `GET /wallets/{id}`: the wallet (as <see cref="WalletReads"/> reads it) with its ongoing usage. Null when the
    /// organization has no such wallet. When this process last saw the wallet's customer with an active subscription,
    /// the usage snapshot goes out in the same round trip as the wallet; otherwise the wallet is read alone (one
    /// statement) and the snapshot follows only if the customer now has one. The wallet's own row always decides.
    /// </summary>
    public async Task<(WalletRead Read, long OngoingUsageCents)?> WalletByIdAsync(Guid organizationId, Guid walletId, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var speculative = SubscribedWallets.ContainsKey(walletId);
        WalletRead? read;
        Snapshot? snapshot = null;
        // The connection goes back to the pool before pricing (see AllocateAsync).
        await using (var connection = await dataSource.OpenConnectionAsync(ct))
        {
            await using var batch = new NpgsqlBatch(connection);
            batch.BatchCommands.Add(Command($"{WalletReads.Select} WHERE w.organization_id = $1 AND w.id = $2", organizationId, walletId));
            if (speculative) foreach (var command in SnapshotCommands(OfWallet, organizationId, walletId, now)) batch.BatchCommands.Add(command);
            await batch.PrepareAsync(ct);
            await using (var reader = await batch.ExecuteReaderAsync(ct))
            {
                read = await reader.ReadAsync(ct) ? WalletReads.Map(reader, organizationId) : null;
                if (speculative)
                {
                    await reader.NextResultAsync(ct);
                    snapshot = await ReadSnapshotAsync(reader, organizationId, ct);
                }
            }
            if (read is null) return null;
            Remember(walletId, read.Subscribed);
            if (!read.Subscribed || !read.Wallet.IsActive) return (read, 0);
            snapshot ??= await SnapshotAsync(connection, null, SnapshotCommands(OfWallet, organizationId, walletId, now), organizationId, ct);
        }
        var usage = await AllocateAsync(organizationId, snapshot, null, now, ct);
        return (read, usage.GetValueOrDefault(walletId));
    }

    // Wallets whose customer had an active subscription when last read in this process: only a hint for WalletByIdAsync.
    private static readonly ConcurrentDictionary<Guid, byte> SubscribedWallets = new();

    private static void Remember(Guid walletId, bool subscribed)
    {
        if (!subscribed) SubscribedWallets.TryRemove(walletId, out _);
        else
        {
            if (SubscribedWallets.Count > 100_000) SubscribedWallets.Clear();
            SubscribedWallets.TryAdd(walletId, 0);
        }
    }

    /// <summary>
    /// The customers' current usage, priced and spread over their active wallets. Pricing may read the catalog: through
    /// <paramref name="inTransaction"/> when the request holds a transaction, otherwise on a connection of its own, which
    /// is why callers hold none by then. A request must never wait for a second connection while holding one: with the
    /// pool full of such requests, each would wait for the others until the pool's timeout.
    /// </summary>
    private async Task<IReadOnlyDictionary<Guid, long>> AllocateAsync(Guid organizationId, Snapshot snapshot, WalletsDbContext? inTransaction, DateTimeOffset now, CancellationToken ct)
    {
        var (payers, usageRows, customers) = snapshot;
        if (usageRows.Count == 0) return Empty;

        // Only the rows of each subscription's current period count (the latest rows may be of an earlier one).
        var current = usageRows.GroupBy(r => r.Subscription.Id)
            .Select(g => (Subscription: g.First().Subscription, Period: UsageCalculator.PeriodContaining(g.First().Subscription, g.First().Interval, g.First().Timezone, now), Rows: g))
            .Where(s => s.Rows.First().Usage.PeriodFrom == s.Period.From)
            .ToList();
        if (current.Count == 0) return Empty;
        var inputs = await catalog.GetAsync(organizationId, current.Select(s => s.Subscription.PlanId).Distinct().ToList(), customers, inTransaction, ct);
        var usages = current.Select(s => UsageCalculator.Price(s.Subscription, inputs, s.Period, s.Rows.Select(r => r.Usage).ToList(), idleCharges: false));

        var allocated = new Dictionary<Guid, long>();
        foreach (var customer in usages.GroupBy(u => u.Subscription.CustomerId))
        {
            var fees = customer.SelectMany(u => u.ChargeFees.Select(f => (u.Currency, Fee: f))).ToList();
            // Wallets name metrics by code; fee keys carry the metric's id.
            var metricIds = fees.Select(f => f.Fee.Charge.BillableMetric).DistinctBy(m => m.Id).ToDictionary(m => m.Code, m => m.Id);
            foreach (var currency in fees.GroupBy(f => f.Currency))
            {
                var usage = currency.Select(f => new UsageByKey(FeeKey.ChargeFeeType, f.Fee.Charge.BillableMetricId, f.Fee.TargetWalletCode,
                    f.Fee.AmountCents + f.Fee.Taxes.TaxesAmountCents)).ToList();
                var candidates = payers.Where(w => w.CustomerId == customer.Key && w.Currency == currency.Key)
                    .Select(w => new OngoingWallet(new WalletCandidate(w.Id, w.Code, w.Priority, w.CreatedAt, w.AvailableCents,
                        w.AllowedFeeTypes.ToHashSet(), w.BillableMetricCodes.Where(metricIds.ContainsKey).Select(c => metricIds[c]).ToHashSet()),
                        w.HasThresholdRule))
                    .ToList();
                foreach (var share in OngoingUsageAllocator.Allocate(candidates, usage)) allocated[share.WalletId] = share.OngoingUsageCents;
            }
        }
        return allocated;
    }

    /// <param name="AvailableCents">The balance no hold reserves: what usage may be allocated.</param>
    private sealed record Payer(Guid Id, Guid CustomerId, string Code, int Priority, DateTimeOffset CreatedAt, long AvailableCents,
        string Currency, string[] AllowedFeeTypes, string[] BillableMetricCodes, bool HasThresholdRule);

    private sealed record UsageRow(Subscription Subscription, string Interval, string? Timezone, ChargeUsage Usage);

    private sealed record Snapshot(List<Payer> Payers, List<UsageRow> Usage, Dictionary<Guid, Customer> Customers);

    /// <summary>The customers of a snapshot: those of the given ids ($2, an array), or the customer of one wallet ($2, its id).</summary>
    private const string OfCustomers = "ANY($2)";
    private const string OfWallet = "(SELECT w.customer_id FROM wallets w WHERE w.organization_id = $1 AND w.id = $2)";

    /// <summary>
    /// Every active wallet of the customers (all take part in the cascade, not only those shown; a wallet with an active
    /// threshold rule takes all the usage that reaches it, so the rule fires), the usage rows of each
    /// active subscription's latest period that has started, and the customers' taxes. Run in the request's
    /// transaction when there is one, so a wallet being created or changed by this request is seen as it now is.
    /// </summary>
    private static NpgsqlBatchCommand[] SnapshotCommands(string customers, Guid organizationId, object customersParameter, DateTimeOffset now) =>
    [
        Command($"""
            SELECT w.id, w.customer_id, w.code, w.priority, w.created_at, w.balance_cents - w.held_cents, w.currency, w.allowed_fee_types, w.billable_metric_codes,
                   EXISTS (SELECT 1 FROM recurring_transaction_rules r WHERE r.wallet_id = w.id AND r.status = 'active' AND r."trigger" = 'threshold')
            FROM wallets w WHERE w.organization_id = $1 AND w.customer_id = {customers} AND w.status = 'active'
            """, organizationId, customersParameter),
        // The latest started period with usage, per subscription (charge_usage_of_period); the caller keeps it only if current.
        // Index probes per subscription (LATERAL … OFFSET 0, scalar subqueries): the generic plan of joins hashed whole tables.
        Command($"""
            SELECT s.id, s.customer_id, s.plan_id, s.billing_time, s.subscription_at,
                   (SELECT p."interval" FROM plans p WHERE p.id = s.plan_id), (SELECT c.timezone FROM customers c WHERE c.id = s.customer_id),
                   u.charge_id, u.period_from, u.target_wallet_code, u.units, u.events_count
            FROM subscriptions s
            JOIN LATERAL (
                SELECT * FROM charge_usage x WHERE x.subscription_id = s.id
                   AND x.period_from = (SELECT max(y.period_from) FROM charge_usage y WHERE y.subscription_id = s.id AND y.period_from <= $3)
                OFFSET 0) u ON true
            WHERE s.organization_id = $1 AND s.customer_id = {customers} AND s.status = 'active'
            """, organizationId, customersParameter, now),
        Command($"""
            SELECT ct.customer_id, t.code, t.rate FROM customer_taxes ct JOIN taxes t ON t.id = ct.tax_id
            WHERE ct.organization_id = $1 AND ct.customer_id = {customers}
            """, organizationId, customersParameter),
    ];

    /// <summary>Runs <see cref="SnapshotCommands"/> as one batch and reads them.</summary>
    private static async Task<Snapshot> SnapshotAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction,
        NpgsqlBatchCommand[] commands, Guid organizationId, CancellationToken ct)
    {
        await using var batch = new NpgsqlBatch(connection, transaction);
        foreach (var command in commands) batch.BatchCommands.Add(command);
        await batch.PrepareAsync(ct);
        await using var reader = await batch.ExecuteReaderAsync(ct);
        return await ReadSnapshotAsync(reader, organizationId, ct);
    }

    /// <summary>Reads the results of <see cref="SnapshotCommands"/>, the reader standing at the first of them.</summary>
    private static async Task<Snapshot> ReadSnapshotAsync(NpgsqlDataReader reader, Guid organizationId, CancellationToken ct)
    {
        var payers = new List<Payer>();
        while (await reader.ReadAsync(ct))
        {
            payers.Add(new Payer(reader.GetGuid(0), reader.GetGuid(1), reader.GetString(2), reader.GetInt32(3), reader.GetFieldValue<DateTimeOffset>(4),
                reader.GetInt64(5), reader.GetString(6), reader.GetFieldValue<string[]>(7), reader.GetFieldValue<string[]>(8), reader.GetBoolean(9)));
        }
        await reader.NextResultAsync(ct);
        var subscriptions = new Dictionary<Guid, Subscription>();
        var usage = new List<UsageRow>();
        while (await reader.ReadAsync(ct))
        {
            var id = reader.GetGuid(0);
            if (!subscriptions.TryGetValue(id, out var subscription))
            {
                subscriptions[id] = subscription = new Subscription
                {
                    Id = id, OrganizationId = organizationId, CustomerId = reader.GetGuid(1), PlanId = reader.GetGuid(2), ExternalId = "",
                    Status = SubscriptionStatus.Active, BillingTime = reader.GetString(3), SubscriptionAt = reader.GetFieldValue<DateTimeOffset>(4),
                };
            }
            usage.Add(new UsageRow(subscription, reader.GetString(5), reader.IsDBNull(6) ? null : reader.GetString(6), new ChargeUsage
            {
                OrganizationId = organizationId, SubscriptionId = id, ChargeId = reader.GetGuid(7), PeriodFrom = reader.GetFieldValue<DateTimeOffset>(8),
                TargetWalletCode = reader.GetString(9), Units = reader.GetDecimal(10), EventsCount = reader.GetInt64(11),
            }));
        }
        await reader.NextResultAsync(ct);
        var customers = subscriptions.Values.Select(s => s.CustomerId).Distinct()
            .ToDictionary(id => id, id => new Customer { Id = id, OrganizationId = organizationId, ExternalId = "" });
        while (await reader.ReadAsync(ct))
        {
            var code = reader.GetString(1);
            if (customers.TryGetValue(reader.GetGuid(0), out var customer))
                customer.AppliedTaxes.Add(new CustomerTax { Tax = new Tax { Name = code, Code = code, Rate = reader.GetDecimal(2) } });
        }
        return new Snapshot(payers, usage, customers);
    }

    private static NpgsqlBatchCommand Command(string sql, params object[] parameters)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var value in parameters) command.Parameters.Add(new NpgsqlParameter { Value = value });
        return command;
    }

    private static readonly IReadOnlyDictionary<Guid, long> Empty = new Dictionary<Guid, long>();
}
