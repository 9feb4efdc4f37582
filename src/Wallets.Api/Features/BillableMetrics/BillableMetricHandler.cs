using Microsoft.EntityFrameworkCore;
using Wallets.Api.Data;
using Wallets.Api.Http;

namespace Wallets.Api.Features.BillableMetrics;

public sealed class BillableMetricHandler(WalletsDbContext db, Tenant tenant, TimeProvider clock, RequestTransaction request)
{
    private static readonly BillableMetricValidator Validator = new(); // stateless, and costly to build

    public async Task<Result<BillableMetric>> CreateAsync(BillableMetricInput input, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var metric = new BillableMetric
        {
            Id = Guid.CreateVersion7(), OrganizationId = tenant.OrganizationId, Name = input.Name ?? "", Code = input.Code ?? "",
            AggregationType = input.AggregationType ?? "", CreatedAt = now, UpdatedAt = now,
        };
        ApplyDefinition(input, metric, creating: true);
        if (Validator.Check(metric) is { } invalid) return invalid;
        if (await db.BillableMetrics.AnyAsync(m => m.Code == metric.Code, ct)) return CodeTaken;

        db.BillableMetrics.Add(metric);
        return await SaveAsync(metric, ct);
    }

    public async Task<Result<BillableMetric>> UpdateAsync(string code, BillableMetricInput input, CancellationToken ct)
    {
        var metric = await db.BillableMetrics.FirstOrDefaultAsync(m => m.Code == code, ct);
        if (metric is null) return LagoError.NotFound("billable_metric");

        if (input.Has("name")) metric.Name = input.Name ?? "";
        if (input.Has("description")) metric.Description = input.Description;
        if (input.Has("filters")) metric.Filters = Filters(input.Filters);
        // As in Lago, only the name, description and filters of a metric in use by subscriptions may change.
        var inUse = await db.Subscriptions.AnyAsync(s => db.Charges.Any(c => c.PlanId == s.PlanId && c.BillableMetricId == metric.Id), ct);
        if (!inUse) ApplyDefinition(input, metric, creating: false);

        if (Validator.Check(metric) is { } invalid) return invalid;
        if (metric.Code != code && await db.BillableMetrics.AnyAsync(m => m.Code == metric.Code && m.Id != metric.Id, ct)) return CodeTaken;
        metric.UpdatedAt = clock.GetUtcNow();
        return await SaveAsync(metric, ct);
    }

    /// <summary>A soft delete; the metric's charges go with it, as in Lago.</summary>
    public async Task<Result<BillableMetric>> DeleteAsync(string code, CancellationToken ct)
    {
        var metric = await db.BillableMetrics.FirstOrDefaultAsync(m => m.Code == code, ct);
        if (metric is null) return LagoError.NotFound("billable_metric");
        var now = clock.GetUtcNow();
        metric.DeletedAt = now;
        metric.UpdatedAt = now;
        await using var tx = await request.BeginOrJoinAsync(ct);
        await db.Charges.Where(c => c.BillableMetricId == metric.Id)
            .ExecuteUpdateAsync(u => u.SetProperty(c => c.DeletedAt, now).SetProperty(c => c.UpdatedAt, now), ct);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return metric;
    }

    /// <summary>Plans with a live charge on each metric, and the active subscriptions to them; metrics in no plan are absent.</summary>
    public static async Task<Dictionary<Guid, MetricUsage>> UsageAsync(WalletsDbContext db, IReadOnlyCollection<Guid> metricIds, CancellationToken ct)
    {
        var pairs = db.Charges.Where(c => metricIds.Contains(c.BillableMetricId)).Select(c => new { c.BillableMetricId, c.PlanId }).Distinct();
        var plans = await pairs.GroupBy(p => p.BillableMetricId).Select(g => new { g.Key, Count = g.LongCount() }).ToListAsync(ct);
        var subscriptions = await pairs
            .Join(db.Subscriptions.Where(s => s.Status == SubscriptionStatus.Active), p => p.PlanId, s => s.PlanId, (p, s) => p.BillableMetricId)
            .GroupBy(id => id).Select(g => new { g.Key, Count = g.LongCount() }).ToListAsync(ct);
        return plans.ToDictionary(p => p.Key, p => new MetricUsage(p.Count, subscriptions.FirstOrDefault(s => s.Key == p.Key)?.Count ?? 0));
    }

    private static void ApplyDefinition(BillableMetricInput input, BillableMetric metric, bool creating)
    {
        if (creating || input.Has("code")) metric.Code = input.Code ?? "";
        if (creating || input.Has("aggregation_type")) metric.AggregationType = input.AggregationType ?? "";
        if (creating || input.Has("field_name")) metric.FieldName = input.FieldName;
        if (creating || input.Has("recurring")) metric.Recurring = input.Recurring ?? false;
        if (creating || input.Has("expression")) metric.Expression = input.Expression;
        if (creating || input.Has("rounding_function")) metric.RoundingFunction = input.RoundingFunction;
        if (creating || input.Has("rounding_precision")) metric.RoundingPrecision = input.RoundingPrecision;
        if (creating)
        {
            metric.Description = input.Description;
            metric.Filters = Filters(input.Filters);
        }
    }

    // Malformed entries become empty ones, which the validator refuses as value_is_invalid.
    private static List<MetricFilter> Filters(List<MetricFilterInput?>? filters) =>
        (filters ?? []).Select(f => new MetricFilter(f?.Key ?? "", (f?.Values ?? []).Select(v => v ?? "").ToList())).ToList();

    private static LagoError CodeTaken => LagoError.Validation("code", "value_already_exist");

    private async Task<Result<BillableMetric>> SaveAsync(BillableMetric metric, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
            return metric;
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation())
        {
            // Another request took the code between our check and this write.
            return CodeTaken;
        }
    }
}
