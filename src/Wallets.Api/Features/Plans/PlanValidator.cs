using FluentValidation;
using Wallets.Api.Data;
using Wallets.Domain.Billing;
using Wallets.Domain.Money;

namespace Wallets.Api.Features.Plans;

/// <summary>Checks a plan as it would be saved. A create also needs the fields Lago requires to be sent.</summary>
public sealed class PlanValidator : AbstractValidator<Plan>
{
    public PlanValidator(PlanInput? creatingFrom = null)
    {
        RuleFor(p => p.Name).NotEmpty().MaximumLength(255);
        RuleFor(p => p.Code).NotEmpty().MaximumLength(255);
        RuleFor(p => p.Interval).Cascade(CascadeMode.Stop).NotEmpty()
            .Must(i => BillingNames.TryParseInterval(i, out _)).WithErrorCode("value_is_invalid");
        RuleFor(p => p.AmountCents).GreaterThanOrEqualTo(0);
        RuleFor(p => p.AmountCurrency).Cascade(CascadeMode.Stop).NotEmpty()
            .Must(c => Currencies.TryFind(c, out _)).WithErrorCode("value_is_invalid");
        // Stored as numeric(10,5): up to 99 999 days.
        RuleFor(p => p.TrialPeriod).InclusiveBetween(0m, 99_999m);
        RuleFor(p => p.TrialPeriod).Must(t => t is null || decimal.Round(t.Value, 5) == t.Value).WithErrorCode("value_is_invalid");
        if (creatingFrom is not null)
            RuleFor(_ => creatingFrom.AmountCents).NotNull().OverridePropertyName("amount_cents");
    }
}
