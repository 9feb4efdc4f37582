using Microsoft.EntityFrameworkCore;
using Wallets.Api.Data;
using Wallets.Api.Features.Plans;
using Wallets.Api.Http;
using Wallets.Domain.Billing;

namespace Wallets.Api.Features.Subscriptions;

/// <summary>Renders subscriptions with their customer and plan, which may since have been deleted (history stays readable).</summary>
public sealed class SubscriptionViews(WalletsDbContext db, Tenant tenant, TimeProvider clock)
{
    public async Task<SubscriptionView> OneAsync(Subscription subscription, CancellationToken ct) =>
        (await ManyAsync([subscription], withPlan: true, ct))[0];

    public async Task<List<SubscriptionView>> ManyAsync(IReadOnlyList<Subscription> subscriptions, bool withPlan, CancellationToken ct)
    {
        var customerIds = subscriptions.Select(s => s.CustomerId).Distinct().ToList();
        var planIds = subscriptions.Select(s => s.PlanId).Distinct().ToList();
        // Deleted customers and plans are skipped by the query filters; the organization is checked by hand instead.
        var customers = await db.Customers.IgnoreQueryFilters()
            .Where(c => c.OrganizationId == tenant.OrganizationId && customerIds.Contains(c.Id)).ToDictionaryAsync(c => c.Id, ct);
        var plans = db.Plans.IgnoreQueryFilters().Where(p => p.OrganizationId == tenant.OrganizationId && planIds.Contains(p.Id));
        var byId = await (withPlan ? plans.WithCatalog() : plans).ToDictionaryAsync(p => p.Id, ct);
        var planViews = withPlan ? (await PlanQueries.ViewsAsync(db, byId.Values.ToList(), ct)).ToDictionary(v => v.LagoId) : [];
        var now = clock.GetUtcNow();
        return subscriptions.Select(s => View(s, customers[s.CustomerId], byId[s.PlanId], planViews.GetValueOrDefault(s.PlanId), now)).ToList();
    }

    private static SubscriptionView View(Subscription s, Customer customer, Plan plan, PlanView? planView, DateTimeOffset now)
    {
        BillingNames.TryParseInterval(plan.Interval, out var interval);
        BillingNames.TryParseBillingTime(s.BillingTime, out var billingTime);
        var period = BillingPeriod.Current(interval, billingTime, s.SubscriptionAt, s.StartedAt, s.TerminatedAt, now, ZoneOf(customer));
        DateTimeOffset? trialEnd = plan.TrialPeriod is > 0 && s.StartedAt is { } started ? started.AddTicks(decimal.ToInt64(plan.TrialPeriod.Value * TimeSpan.TicksPerDay)) : null;
        return new SubscriptionView(
            s.Id, s.ExternalId, s.CustomerId, customer.ExternalId, s.Name, plan.Code, plan.AmountCents, plan.AmountCurrency, s.Status,
            s.BillingTime, s.SubscriptionAt, s.StartedAt, trialEnd <= now ? trialEnd : null, s.EndingAt, s.TerminatedAt, s.CanceledAt,
            s.CreatedAt, null, null, null, period?.From, period?.To, plan.PayInAdvance ? "credit" : null, "generate", false, true, planView);
    }

    /// <summary>Billing periods follow the customer's time zone (UTC when it has none or an unknown one).</summary>
    public static TimeZoneInfo ZoneOf(Customer customer) => ZoneOf(customer.Timezone);

    public static TimeZoneInfo ZoneOf(string? timezone) =>
        timezone is { } id && TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) ? zone : TimeZoneInfo.Utc;
}
