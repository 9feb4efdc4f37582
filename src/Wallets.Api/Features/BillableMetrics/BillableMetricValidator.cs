using FluentValidation;
using Wallets.Api.Data;

namespace Wallets.Api.Features.BillableMetrics;

/// <summary>Checks a metric as it would be saved (after a create or an update is applied), with Lago's codes.</summary>
public sealed class BillableMetricValidator : AbstractValidator<BillableMetric>
{
    public BillableMetricValidator()
    {
        RuleFor(m => m.Name).NotEmpty().MaximumLength(255);
        RuleFor(m => m.Code).NotEmpty().MaximumLength(255);
        // Lago answers value_is_invalid for a missing aggregation type too. weighted_sum_agg and custom_agg are not supported.
        RuleFor(m => m.AggregationType).Must(AggregationType.Supported.Contains).WithErrorCode("value_is_invalid");
        RuleFor(m => m.FieldName).NotEmpty().When(m => m.AggregationType != AggregationType.Count && AggregationType.Supported.Contains(m.AggregationType));
        RuleFor(m => m.Recurring).Must(r => !r).WithErrorCode("not_compatible_with_aggregation_type")
            .When(m => m.AggregationType is AggregationType.Count or AggregationType.Max or AggregationType.Latest);
        RuleFor(m => m.RoundingFunction).Must(f => f is null or "round" or "ceil" or "floor").WithErrorCode("value_is_invalid");
        RuleFor(m => m.Filters).Must(BeDistinctFilters).WithErrorCode("value_is_invalid");
    }

    private static bool BeDistinctFilters(List<MetricFilter> filters) =>
        filters.All(f => f.Key.Length > 0 && f.Values.Count > 0 && f.Values.All(v => v.Length > 0))
        && filters.Select(f => f.Key).Distinct(StringComparer.Ordinal).Count() == filters.Count;
}
