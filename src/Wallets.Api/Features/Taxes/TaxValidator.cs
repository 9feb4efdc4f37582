using FluentValidation;
using Wallets.Api.Http;

namespace Wallets.Api.Features.Taxes;

/// <summary>A create needs name, code and rate; an update checks only what it sends.</summary>
public sealed class TaxValidator : AbstractValidator<TaxInput>
{
    public TaxValidator(bool creating)
    {
        RuleFor(t => t.Name).NotEmpty().MaximumLength(255).When(t => creating || t.Has("name"));
        RuleFor(t => t.Code).NotEmpty().MaximumLength(255).When(t => creating || t.Has("code"));
        RuleFor(t => t.Rate).NotNull().When(t => creating || t.Has("rate"));
        RuleFor(t => t.Rate).InclusiveBetween(0m, 100m);
        // Stored as numeric(8,5): more decimals would be silently rounded, so they are refused.
        RuleFor(t => t.Rate).Must(r => r is null || decimal.Round(r.Value, 5) == r.Value).WithErrorCode("value_is_invalid");
    }
}
