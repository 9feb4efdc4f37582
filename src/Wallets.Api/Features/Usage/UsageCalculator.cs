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
    // No single fee goes beyond 10^15 currency units (10^17 cents), so sums of fees and taxes stay far inside a long
    // however large the aggregated units: a client's huge values are never a 500.
    private const long MaxFeeCents = 100_000_000_000_000_000;

    /// <summary>The usage of <paramref name="period"/>, whose <c>From</c> is the full period's start (the usage rows' key).</summary>
    public async Task<SubscriptionUsage> ForPeriodAsync(Subscription subscription, BillingPeriod period, CancellationToken ct)
    {
        var inputs = await LoadAsync(subscription, ct);
        var usage = await db.ChargeUsage.IgnoreQueryFilters().AsNoTracking()
            .Where(u => u.SubscriptionId == subscription.Id && u.PeriodFrom == period.From).ToListAsync(ct);
        return Price(subscription, inputs, period, usage, idleCharges: true);
    }

    /// <summary>
    /// The usage of many subscriptions of one organization, each in its period (whose <c>From</c> is the full period's
    /// start), in a fixed number of queries however many: what a billing run prices. Only charges with usage are priced
    /// (an idle charge's fee is zero units for zero), in the order of <paramref name="periods"/>.
    /// </summary>
    public async Task<IReadOnlyList<SubscriptionUsage>> ForPeriodsAsync(
        Guid organizationId, IReadOnlyList<(Subscription Subscription, BillingPeriod Period)> periods, CancellationToken ct)
    {
        if (periods.Count == 0) return [];
        var subscriptionIds = periods.Select(p => p.Subscription.Id).Distinct().ToList();
        var froms = periods.Select(p => p.Period.From).Distinct().ToList();
        var rows = (await db.ChargeUsage.IgnoreQueryFilters().AsNoTracking()
                .Where(u => u.OrganizationId == organizationId && subscriptionIds.Contains(u.SubscriptionId) && froms.Contains(u.PeriodFrom))
                .ToListAsync(ct))
            .ToLookup(u => (u.SubscriptionId, u.PeriodFrom));
        var plans = await LoadPlansAsync(db, organizationId, periods.Select(p => p.Subscription.PlanId).Distinct().ToList(), ct);
        var customers = await LoadCustomersAsync(db, organizationId, periods.Select(p => p.Subscription.CustomerId).Distinct().ToList(), ct);
        var inputs = new PricingInputs(plans.ToDictionary(p => p.Id), customers.ToDictionary(c => c.Id), await LoadOrganizationTaxesAsync(db, organizationId, ct));
        return periods.Select(p => Price(p.Subscription, inputs, p.Period, rows[(p.Subscription.Id, p.Period.From)].ToList(), idleCharges: false)).ToList();
    }

    /// <summary>The usage of the full billing period containing <paramref name="now"/> (Lago's current usage), every charge included.</summary>
    public async Task<SubscriptionUsage> CurrentAsync(Subscription subscription, DateTimeOffset now, CancellationToken ct)
    {
        var inputs = await LoadAsync(subscription, ct);
        var period = PeriodContaining(subscription, inputs.Plans[subscription.PlanId].Interval, inputs.Customers[subscription.CustomerId].Timezone, now);
        var usage = await db.ChargeUsage.IgnoreQueryFilters().AsNoTracking()
            .Where(u => u.SubscriptionId == subscription.Id && u.PeriodFrom == period.From).ToListAsync(ct);
        return Price(subscription, inputs, period, usage, idleCharges: true);
    }

    /// <summary>The full billing period containing <paramref name="instant"/>, in the customer's time zone.</summary>
    public static BillingPeriod PeriodContaining(Subscription subscription, Plan plan, Customer customer, DateTimeOffset instant) =>
        PeriodContaining(subscription, plan.Interval, customer.Timezone, instant);

    public static BillingPeriod PeriodContaining(Subscription subscription, string planInterval, string? timezone, DateTimeOffset instant)
    {
        BillingNames.TryParseInterval(planInterval, out var interval);
        BillingNames.TryParseBillingTime(subscription.BillingTime, out var billingTime);
        return BillingPeriod.Containing(instant, interval, billingTime, subscription.SubscriptionAt, SubscriptionViews.ZoneOf(timezone));
    }

    /// <summary>
    /// The fees of one subscription's period: one per charge and target-wallet group with usage, taxes applied.
    /// </summary>
    /// <param name="idleCharges">Also price charges without usage (their zero-unit fee), as an invoice or current usage shows them.</param>
    public static SubscriptionUsage Price(Subscription subscription, PricingInputs inputs, BillingPeriod period, IReadOnlyList<ChargeUsage> usage, bool idleCharges)
    {
        var plan = inputs.Plans[subscription.PlanId];
        var customer = inputs.Customers[subscription.CustomerId];
        var subunit = Currencies.Get(plan.AmountCurrency).SubunitToUnit;
        var fees = new List<ChargeFeeDraft>();
        foreach (var charge in plan.Charges.Where(c => c.DeletedAt == null).OrderBy(c => c.CreatedAt).ThenBy(c => c.Id))
        {
            // One group per target wallet, its shards added up (only count, sum and unique-count usage has several;
            // see UsageShards).
            var groups = usage.Where(u => u.ChargeId == charge.Id)
                .GroupBy(u => u.TargetWalletCode, StringComparer.Ordinal)
                .Select(g => (Target: g.Key, Units: g.Sum(u => u.Units), EventsCount: g.Sum(u => u.EventsCount)))
                .ToList();
            // A charge with no usage still shows (and bills) its zero-unit price, as Lago's fees do.
            if (groups.Count == 0 && idleCharges) groups.Add(("", 0m, 0L));
            if (groups.Count == 0) continue;
            var levels = new TaxLevels(Rates(charge.AppliedTaxes), Rates(plan.AppliedTaxes), Rates(customer.AppliedTaxes), inputs.OrganizationTaxes);
            var price = ChargePrices.For(charge);
            foreach (var group in groups.OrderBy(g => g.Target, StringComparer.Ordinal))
            {
                var precise = PreciseCents(price, group.Units, subunit);
                var cents = decimal.ToInt64(decimal.Round(precise, 0, MidpointRounding.AwayFromZero));
                fees.Add(new ChargeFeeDraft(charge, group.Target.Length == 0 ? null : group.Target, group.Units,
                    group.EventsCount, precise, cents, FeeTaxes.For(FeeKind.Charge, cents, levels)));
            }
        }
        return new SubscriptionUsage(subscription, plan, customer, period, fees);
    }

    private async Task<PricingInputs> LoadAsync(Subscription subscription, CancellationToken ct)
    {
        var organizationId = subscription.OrganizationId;
        var plans = await LoadPlansAsync(db, organizationId, [subscription.PlanId], ct);
        var customers = await LoadCustomersAsync(db, organizationId, [subscription.CustomerId], ct);
        return new PricingInputs(plans.ToDictionary(p => p.Id), customers.ToDictionary(c => c.Id), await LoadOrganizationTaxesAsync(db, organizationId, ct));
    }

    /// <summary>Plans with their live charges, metrics and taxes; deleted plans too (their subscriptions' usage is still owed).</summary>
    public static Task<List<Plan>> LoadPlansAsync(WalletsDbContext db, Guid organizationId, IReadOnlyCollection<Guid> planIds, CancellationToken ct) =>
        db.Plans.IgnoreQueryFilters().AsNoTracking()
            .Include(p => p.AppliedTaxes).ThenInclude(t => t.Tax)
            .Include(p => p.Charges.Where(c => c.DeletedAt == null)).ThenInclude(c => c.BillableMetric)
            .Include(p => p.Charges.Where(c => c.DeletedAt == null)).ThenInclude(c => c.AppliedTaxes).ThenInclude(t => t.Tax)
            .Where(p => p.OrganizationId == organizationId && planIds.Contains(p.Id))
            .ToListAsync(ct);

    /// <summary>Customers with their taxes, deleted ones too.</summary>
    public static Task<List<Customer>> LoadCustomersAsync(WalletsDbContext db, Guid organizationId, IReadOnlyCollection<Guid> customerIds, CancellationToken ct) =>
        db.Customers.IgnoreQueryFilters().AsNoTracking().Include(c => c.AppliedTaxes).ThenInclude(t => t.Tax)
            .Where(c => c.OrganizationId == organizationId && customerIds.Contains(c.Id)).ToListAsync(ct);

    public static Task<List<TaxRate>> LoadOrganizationTaxesAsync(WalletsDbContext db, Guid organizationId, CancellationToken ct) =>
        db.Taxes.IgnoreQueryFilters().AsNoTracking()
            .Where(t => t.OrganizationId == organizationId && t.AppliedToOrganization)
            .Select(t => new TaxRate(t.Code, t.Rate)).ToListAsync(ct);

    private static decimal PreciseCents(ChargePrice price, decimal units, long subunit)
    {
        try
        {
            return Math.Clamp(price.PreciseCentsFor(units, subunit), -MaxFeeCents, MaxFeeCents);
        }
        catch (OverflowException)
        {
            return units < 0 ? -MaxFeeCents : MaxFeeCents;
        }
    }

    private static List<TaxRate> Rates<T>(IEnumerable<T> applied) where T : IAppliedTax =>
        applied.Select(a => new TaxRate(a.Tax.Code, a.Tax.Rate)).ToList();
}
