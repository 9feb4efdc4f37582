using Wallets.Api.Data;
using Wallets.Api.Http;

namespace Wallets.Api.Features.BillableMetrics;

public sealed class BillableMetricInput : Input
{
    public string? Name { get; init; }
    public string? Code { get; init; }
    public string? Description { get; init; }
    public string? AggregationType { get; init; }
    public string? FieldName { get; init; }
    public bool? Recurring { get; init; }
    public string? Expression { get; init; }
    public string? RoundingFunction { get; init; }
    public int? RoundingPrecision { get; init; }
    public string? WeightedInterval { get; init; }
    public List<MetricFilterInput?>? Filters { get; init; }
}

public sealed record MetricFilterInput(string? Key, List<string?>? Values);

public sealed record BillableMetricRequest(BillableMetricInput BillableMetric);

public sealed record BillableMetricEnvelope(BillableMetricView BillableMetric);

public sealed record BillableMetricsPage(IReadOnlyList<BillableMetricView> BillableMetrics, PageMeta Meta);

/// <summary>How many plans and active subscriptions use a metric (Lago shows both on the metric).</summary>
public sealed record MetricUsage(long Plans, long ActiveSubscriptions)
{
    public static readonly MetricUsage None = new(0, 0);
}

/// <summary>Lago's `BillableMetricObject`, with the usage counts lago-api adds.</summary>
public sealed record BillableMetricView(
    Guid LagoId,
    string Name,
    string Code,
    string? Description,
    string AggregationType,
    string? WeightedInterval,
    bool Recurring,
    string? RoundingFunction,
    int? RoundingPrecision,
    DateTimeOffset CreatedAt,
    string? Expression,
    string? FieldName,
    long ActiveSubscriptionsCount,
    long DraftInvoicesCount,
    long PlansCount,
    IReadOnlyList<MetricFilter> Filters)
{
    // Draft invoices do not reference charges yet (the invoicing work adds that), so the count is 0.
    public static BillableMetricView From(BillableMetric m, MetricUsage usage) => new(
        m.Id, m.Name, m.Code, m.Description, m.AggregationType, null, m.Recurring, m.RoundingFunction, m.RoundingPrecision,
        m.CreatedAt, m.Expression, m.FieldName, usage.ActiveSubscriptions, 0, usage.Plans,
        m.Filters.OrderBy(f => f.Key, StringComparer.Ordinal).ToList());
}
