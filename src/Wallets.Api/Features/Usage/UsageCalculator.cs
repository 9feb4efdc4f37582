using Microsoft.EntityFrameworkCore;
using Wallets.Api.Data;
using Wallets.Api.Features.Subscriptions;
using Wallets.Domain.Billing;
using Wallets.Domain.Money;

namespace Wallets.Api.Features.Usage;

/// <summary>One charge's fee for one target-wallet group of a period: units, amount and taxes.</summary>
public sealed record ChargeFeeDraft(
    Charge Charge, string? TargetWalletCode, decimal Units, long EventsCount, decimal PreciseAmountCents, long AmountCents, TaxedFee Taxes);

/// <summary>What a subscription's usage in one billing period comes to.</summary>
public sealed record SubscriptionUsage(Subscription Subscription, Plan Plan, Customer Customer, BillingPeriod Period, IReadOnlyList<ChargeFeeDraft> ChargeFees)
{
    public string Currency => Plan.AmountCurrency;
    public long AmountCents => ChargeFees.Sum(f => f.AmountCents);
    public long TaxesAmountCents => ChargeFees.Sum(f => f.Taxes.TaxesAmountCents);
}

/// <summary>
/// Prices the usage aggregated in charge_usage (see the events feature): the one place where units become fees,
/// for current usage, the real-time wallet balance and invoices alike.
/// </summary>
public sealed class UsageCalculator(WalletsDbContext db)
{
    /// <summary>The usage of <paramref name="period"/>, whose <c>From</c> is the full period's start (the usage rows' key).</summary>
    public async Task<SubscriptionUsage> ForPeriodAsync(Subscription subscription, BillingPeriod period, CancellationToken ct)
    {
        var plan = await db.Plans.IgnoreQueryFilters().AsNoTracking()
            .Include(p => p.AppliedTaxes).ThenInclude(t => t.Tax)
            .Include(p => p.Charges.Where(c => c.DeletedAt == null)).ThenInclude(c => c.BillableMetric)
            .Include(p => p.Charges.Where(c => c.DeletedAt == null)).ThenInclude(c => c.AppliedTaxes).ThenInclude(t => t.Tax)
            .FirstAsync(p => p.Id == subscription.PlanId && p.OrganizationId == subscription.OrganizationId, ct);
        var customer = await db.Customers.IgnoreQueryFilters().AsNoTracking().Include(c => c.AppliedTaxes).ThenInclude(t => t.Tax)
            .FirstAsync(c => c.Id == subscription.CustomerId && c.OrganizationId == subscription.OrganizationId, ct);
        var organizationTaxes = await db.Taxes.IgnoreQueryFilters().AsNoTracking()
            .Where(t => t.OrganizationId == subscription.OrganizationId && t.AppliedToOrganization).ToListAsync(ct);
        var usage = await db.ChargeUsage.IgnoreQueryFilters().AsNoTracking()
            .Where(u => u.SubscriptionId == subscription.Id && u.PeriodFrom == period.From).ToListAsync(ct);

        var subunit = Currencies.Get(plan.AmountCurrency).SubunitToUnit;
        var fees = new List<ChargeFeeDraft>();
        foreach (var charge in plan.Charges.Where(c => c.DeletedAt == null).OrderBy(c => c.CreatedAt).ThenBy(c => c.Id))
        {
            var levels = new TaxLevels(Rates(charge.AppliedTaxes), Rates(plan.AppliedTaxes), Rates(customer.AppliedTaxes),
                organizationTaxes.Select(t => new TaxRate(t.Code, t.Rate)).ToList());
            var price = ChargePrices.For(charge);
            var groups = usage.Where(u => u.ChargeId == charge.Id).ToList();
            // A charge with no usage still shows (and bills) its zero-unit price, as Lago's fees do.
            if (groups.Count == 0) groups.Add(new ChargeUsage { ChargeId = charge.Id });
            foreach (var group in groups.OrderBy(g => g.TargetWalletCode, StringComparer.Ordinal))
            {
                var precise = price.PreciseCentsFor(group.Units, subunit);
                var cents = decimal.ToInt64(decimal.Round(precise, 0, MidpointRounding.AwayFromZero));
                fees.Add(new ChargeFeeDraft(charge, group.TargetWalletCode.Length == 0 ? null : group.TargetWalletCode, group.Units,
                    group.EventsCount, precise, cents, FeeTaxes.For(FeeKind.Charge, cents, levels)));
            }
        }
        return new SubscriptionUsage(subscription, plan, customer, period, fees);
    }

    /// <summary>The full billing period containing <paramref name="instant"/>, in the customer's time zone.</summary>
    public static BillingPeriod PeriodContaining(Subscription subscription, Plan plan, Customer customer, DateTimeOffset instant)
    {
        BillingNames.TryParseInterval(plan.Interval, out var interval);
        BillingNames.TryParseBillingTime(subscription.BillingTime, out var billingTime);
        return BillingPeriod.Containing(instant, interval, billingTime, subscription.SubscriptionAt, SubscriptionViews.ZoneOf(customer));
    }

    private static List<TaxRate> Rates<T>(IEnumerable<T> applied) where T : IAppliedTax =>
        applied.Select(a => new TaxRate(a.Tax.Code, a.Tax.Rate)).ToList();
}
