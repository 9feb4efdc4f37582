namespace Wallets.Api.Data;

/// <summary>What events are aggregated into (Lago's billable metric). Deleting one is a soft delete.</summary>
public sealed class BillableMetric
{
    public Guid Id { get; set; }
    public Guid OrganizationId { get; set; }
    public required string Name { get; set; }
    public required string Code { get; set; }
    public string? Description { get; set; }
    public required string AggregationType { get; set; }
    public string? FieldName { get; set; }
    public bool Recurring { get; set; }
    public string? Expression { get; set; }
    public string? RoundingFunction { get; set; }
    public int? RoundingPrecision { get; set; }
    public List<MetricFilter> Filters { get; set; } = [];
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? DeletedAt { get; set; }
}

/// <summary>An event property a charge may price differently, and the values it can take.</summary>
public sealed record MetricFilter(string Key, List<string> Values);

public static class AggregationType
{
    public const string Count = "count_agg";
    public const string Sum = "sum_agg";
    public const string Max = "max_agg";
    public const string UniqueCount = "unique_count_agg";
    public const string Latest = "latest_agg";

    public static readonly IReadOnlySet<string> Supported = new HashSet<string> { Count, Sum, Max, UniqueCount, Latest };
}
