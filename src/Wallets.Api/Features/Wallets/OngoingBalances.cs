using Microsoft.EntityFrameworkCore;
using Wallets.Api.Data;
using Wallets.Api.Features.Usage;
using Wallets.Domain.Allocation;

namespace Wallets.Api.Features.Wallets;

/// <summary>
/// The real-time balance (DESIGN.md 14, behavior.md §4.3): the customer's current usage, taxes included, spread over
/// its active wallets by <see cref="OngoingUsageAllocator"/>, computed when a wallet is read. It follows every event at
/// once, because events are aggregated into charge_usage as they are stored; a read prices only those few rows
/// (never the events), for all the customers of a page at once.
/// </summary>
public sealed class OngoingBalances(WalletsDbContext db, UsageCalculator calculator, TimeProvider clock)
{
    /// <summary>The usage allocated to each given wallet (absent = 0: terminated wallets, customers without usage).</summary>
    public async Task<IReadOnlyDictionary<Guid, long>> UsageOfAsync(IReadOnlyCollection<Wallet> wallets, CancellationToken ct)
    {
        var shown = wallets.Where(w => w.IsActive).ToList();
        if (shown.Count == 0) return Empty;
        var organizationId = shown[0].OrganizationId;
        var usages = await calculator.CurrentForCustomersAsync(organizationId, shown.Select(w => w.CustomerId).Distinct().ToList(), clock.GetUtcNow(), ct);
        if (usages.Count == 0) return Empty;

        // Every active wallet of those customers takes part in the cascade, not only the ones on this page.
        var customerIds = usages.Select(u => u.Subscription.CustomerId).Distinct().ToList();
        var candidates = await db.Wallets.IgnoreQueryFilters().AsNoTracking()
            .Where(w => w.OrganizationId == organizationId && customerIds.Contains(w.CustomerId) && w.Status == WalletStatus.Active)
            .Select(w => new { w.Id, w.CustomerId, w.Code, w.Priority, w.CreatedAt, w.BalanceCents, w.Currency, w.AllowedFeeTypes, w.BillableMetricCodes })
            .ToListAsync(ct);

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
                var payers = candidates.Where(w => w.CustomerId == customer.Key && w.Currency == currency.Key)
                    .Select(w => new OngoingWallet(new WalletCandidate(w.Id, w.Code, w.Priority, w.CreatedAt, w.BalanceCents,
                        w.AllowedFeeTypes.ToHashSet(), w.BillableMetricCodes.Where(metricIds.ContainsKey).Select(c => metricIds[c]).ToHashSet()),
                        HasActiveThresholdRule: false))
                    .ToList();
                foreach (var share in OngoingUsageAllocator.Allocate(payers, usage)) allocated[share.WalletId] = share.OngoingUsageCents;
            }
        }
        return allocated;
    }

    private static readonly IReadOnlyDictionary<Guid, long> Empty = new Dictionary<Guid, long>();
}
