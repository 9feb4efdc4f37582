using FluentValidation;
using Wallets.Api.Data;

namespace Wallets.Api.Features.Plans;

/// <summary>Checks a charge as it would be saved, against its billable metric, with Lago's codes and field names.</summary>
public sealed class ChargeValidator : AbstractValidator<Charge>
{
    private const string AllValues = "__ALL_FILTER_VALUES__";

    public ChargeValidator()
    {
        RuleFor(c => c.Code).NotEmpty().MaximumLength(255);
        RuleFor(c => c.ChargeModel).Cascade(CascadeMode.Stop).NotEmpty()
            .Must(ChargeModel.Supported.Contains).WithErrorCode("value_is_invalid");
        RuleFor(c => c.MinAmountCents).GreaterThanOrEqualTo(0);
        RuleFor(c => c.MinAmountCents).Must(m => m <= 0).WithErrorCode("not_compatible_with_pay_in_advance").When(c => c.PayInAdvance);
        RuleFor(c => c.RegroupPaidFees).Cascade(CascadeMode.Stop).Must(r => r is null or "invoice").WithErrorCode("value_is_invalid")
            .Must((c, r) => r is null || (c.PayInAdvance && !c.Invoiceable)).WithErrorCode("only_compatible_with_pay_in_advance_and_non_invoiceable");
        // Lago: maxima and latest values are only known at the end of a period, so they cannot be billed as events arrive.
        RuleFor(c => c.PayInAdvance).Must(p => !p).WithErrorCode("invalid_aggregation_type_or_charge_model")
            .When(c => c.BillableMetric.AggregationType is AggregationType.Max or AggregationType.Latest);
        // Lago: proration needs units that persist across periods (a recurring metric) priced per unit (standard).
        RuleFor(c => c.Prorated).Must(p => !p).WithErrorCode("invalid_billable_metric_or_charge_model")
            .When(c => !(c.BillableMetric.Recurring && c.ChargeModel == ChargeModel.Standard));
        RuleFor(c => c.Properties).Custom((properties, context) =>
        {
            var model = context.InstanceToValidate.ChargeModel;
            if (!ChargeModel.Supported.Contains(model)) return;
            foreach (var code in ChargeProperties.Errors(model, properties)
                         .Concat(context.InstanceToValidate.Filters.SelectMany(f => ChargeProperties.Errors(model, f.Properties))).Distinct())
                context.AddFailure(new FluentValidation.Results.ValidationFailure("properties", code) { ErrorCode = code });
        });
        RuleFor(c => c.Filters).Must((c, filters) => filters.All(f => FitsMetric(f, c.BillableMetric))).WithErrorCode("value_is_invalid");
    }

    // A filter names some of the metric's filter keys, each with some of that key's values (or all of them).
    private static bool FitsMetric(ChargeFilter filter, BillableMetric metric) =>
        filter.Values.Count > 0 && filter.Values.All(pair =>
            metric.Filters.FirstOrDefault(f => f.Key == pair.Key) is { } known
            && pair.Value.Count > 0
            && pair.Value.All(v => v == AllValues || known.Values.Contains(v)));
}
