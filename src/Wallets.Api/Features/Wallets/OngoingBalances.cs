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
    /// <param name="joined">The request's open transaction, if any: a wallet this request created or changed is seen as it now is.</param>
    public async Task<IReadOnlyDictionary<Guid, long>> UsageOfAsync(IReadOnlyCollection<Wallet> wallets, IDbContextTransaction? joined, CancellationToken ct)
    {
        var shown = wallets.Where(w => w.IsActive).ToList();
        if (shown.Count == 0) return Empty;
        var organizationId = shown[0].OrganizationId;
        var now = clock.GetUtcNow();
        var (payers, usageRows, customers) = await SnapshotAsync(organizationId, shown.Select(w => w.CustomerId).Distinct().ToArray(), now, joined, ct);
        if (usageRows.Count == 0) return Empty;

        // Only the rows of each subscription's current period count (the latest rows may be of an earlier one).
        var current = usageRows.GroupBy(r => r.Subscription.Id)
            .Select(g => (Subscription: g.First().Subscription, Period: UsageCalculator.PeriodContaining(g.First().Subscription, g.First().Interval, g.First().Timezone, now), Rows: g))
            .Where(s => s.Rows.First().Usage.PeriodFrom == s.Period.From)
            .ToList();
        if (current.Count == 0) return Empty;
        var inputs = await catalog.GetAsync(organizationId, current.Select(s => s.Subscription.PlanId).Distinct().ToList(), customers, ct);
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
                    .Select(w => new OngoingWallet(new WalletCandidate(w.Id, w.Code, w.Priority, w.CreatedAt, w.BalanceCents,
                        w.AllowedFeeTypes.ToHashSet(), w.BillableMetricCodes.Where(metricIds.ContainsKey).Select(c => metricIds[c]).ToHashSet()),
                        HasActiveThresholdRule: false))
                    .ToList();
                foreach (var share in OngoingUsageAllocator.Allocate(candidates, usage)) allocated[share.WalletId] = share.OngoingUsageCents;
            }
        }
        return allocated;
    }

    private sealed record Payer(Guid Id, Guid CustomerId, string Code, int Priority, DateTimeOffset CreatedAt, long BalanceCents,
        string Currency, string[] AllowedFeeTypes, string[] BillableMetricCodes);

    private sealed record UsageRow(Subscription Subscription, string Interval, string? Timezone, ChargeUsage Usage);

    /// <summary>
    /// One round trip: every active wallet of the customers (all take part in the cascade, not only those shown),
    /// the usage rows of each active subscription's latest period that has started, and the customers' taxes. Runs in the request's transaction
    /// when there is one, so a wallet being created or changed by this request is seen as it now is.
    /// </summary>
    private async Task<(List<Payer> Payers, List<UsageRow> Usage, Dictionary<Guid, Customer> Customers)> SnapshotAsync(
        Guid organizationId, Guid[] customerIds, DateTimeOffset now, IDbContextTransaction? joined, CancellationToken ct)
    {
        // Straight from the pool (EF Core's connection handling costs more than this read), unless a transaction is open.
        var transaction = (NpgsqlTransaction?)joined?.GetDbTransaction();
        await using var owned = transaction is null ? await dataSource.OpenConnectionAsync(ct) : null;
        await using var batch = new NpgsqlBatch(owned ?? transaction!.Connection, transaction)
        {
            BatchCommands =
            {
                Command("""
                    SELECT id, customer_id, code, priority, created_at, balance_cents, currency, allowed_fee_types, billable_metric_codes
                    FROM wallets WHERE organization_id = $1 AND customer_id = ANY($2) AND status = 'active'
                    """, organizationId, customerIds),
                // The latest started period with usage, per subscription (charge_usage_of_period); the caller keeps it only if current.
                // Index probes per subscription (LATERAL … OFFSET 0, scalar subqueries): the generic plan of joins hashed whole tables.
                Command("""
                    SELECT s.id, s.customer_id, s.plan_id, s.billing_time, s.subscription_at,
                           (SELECT p."interval" FROM plans p WHERE p.id = s.plan_id), (SELECT c.timezone FROM customers c WHERE c.id = s.customer_id),
                           u.charge_id, u.period_from, u.target_wallet_code, u.units, u.events_count
                    FROM subscriptions s
                    JOIN LATERAL (
                        SELECT * FROM charge_usage x WHERE x.subscription_id = s.id
                           AND x.period_from = (SELECT max(y.period_from) FROM charge_usage y WHERE y.subscription_id = s.id AND y.period_from <= $3)
                        OFFSET 0) u ON true
                    WHERE s.organization_id = $1 AND s.customer_id = ANY($2) AND s.status = 'active'
                    """, organizationId, customerIds, now),
                Command("""
                    SELECT ct.customer_id, t.code, t.rate FROM customer_taxes ct JOIN taxes t ON t.id = ct.tax_id
                    WHERE ct.organization_id = $1 AND ct.customer_id = ANY($2)
                    """, organizationId, customerIds),
            },
        };
        await batch.PrepareAsync(ct);
        await using var reader = await batch.ExecuteReaderAsync(ct);
        var payers = new List<Payer>();
        while (await reader.ReadAsync(ct))
        {
            payers.Add(new Payer(reader.GetGuid(0), reader.GetGuid(1), reader.GetString(2), reader.GetInt32(3), reader.GetFieldValue<DateTimeOffset>(4),
                reader.GetInt64(5), reader.GetString(6), reader.GetFieldValue<string[]>(7), reader.GetFieldValue<string[]>(8)));
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
        var customers = customerIds.ToDictionary(id => id, id => new Customer { Id = id, OrganizationId = organizationId, ExternalId = "" });
        while (await reader.ReadAsync(ct))
        {
            var code = reader.GetString(1);
            customers[reader.GetGuid(0)].AppliedTaxes.Add(new CustomerTax { Tax = new Tax { Name = code, Code = code, Rate = reader.GetDecimal(2) } });
        }
        return (payers, usage, customers);
    }

    private static NpgsqlBatchCommand Command(string sql, params object[] parameters)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var value in parameters) command.Parameters.Add(new NpgsqlParameter { Value = value });
        return command;
    }

    private static readonly IReadOnlyDictionary<Guid, long> Empty = new Dictionary<Guid, long>();
}
