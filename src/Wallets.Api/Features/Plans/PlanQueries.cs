using Microsoft.EntityFrameworkCore;
using Wallets.Api.Data;

namespace Wallets.Api.Features.Plans;

/// <summary>Loading plans with what their answers show: live charges with metrics and taxes, plan taxes, usage counts.</summary>
public static class PlanQueries
{
    public static IQueryable<Plan> WithCatalog(this IQueryable<Plan> plans) => plans
        .Include(p => p.AppliedTaxes)
        .Include(p => p.Charges).ThenInclude(c => c.BillableMetric)
        .Include(p => p.Charges).ThenInclude(c => c.AppliedTaxes)
        .AsSplitQuery();

    public static IQueryable<Charge> WithCatalog(this IQueryable<Charge> charges) =>
        charges.Include(c => c.BillableMetric).Include(c => c.AppliedTaxes);

    public static async Task<Dictionary<Guid, PlanUsage>> UsageAsync(WalletsDbContext db, IReadOnlyCollection<Guid> planIds, CancellationToken ct)
    {
        var rows = await db.Subscriptions
            .Where(s => planIds.Contains(s.PlanId) && s.Status == SubscriptionStatus.Active)
            .GroupBy(s => s.PlanId)
            .Select(g => new { g.Key, Customers = g.Select(s => s.CustomerId).Distinct().LongCount(), Active = g.LongCount() })
            .ToListAsync(ct);
        return rows.ToDictionary(r => r.Key, r => new PlanUsage(r.Customers, r.Active));
    }

    public static async Task<PlanView> ViewAsync(WalletsDbContext db, Plan plan, CancellationToken ct) =>
        (await ViewsAsync(db, [plan], ct))[0];

    public static async Task<List<PlanView>> ViewsAsync(WalletsDbContext db, IReadOnlyList<Plan> plans, CancellationToken ct)
    {
        var usage = await UsageAsync(db, plans.Select(p => p.Id).ToList(), ct);
        return plans.Select(p => PlanView.From(p, usage.GetValueOrDefault(p.Id, PlanUsage.None))).ToList();
    }
}
