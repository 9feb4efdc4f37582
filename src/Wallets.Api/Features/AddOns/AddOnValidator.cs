using FluentValidation;
using Wallets.Api.Data;
using Wallets.Domain.Money;

namespace Wallets.Api.Features.AddOns;

/// <summary>Checks an add-on as it would be saved (after a create or an update is applied), with Lago's codes.</summary>
public sealed class AddOnValidator : AbstractValidator<AddOn>
{
    public AddOnValidator(AddOnInput? creatingFrom = null)
    {
        RuleFor(a => a.Name).NotEmpty().MaximumLength(255);
        RuleFor(a => a.Code).NotEmpty().MaximumLength(255);
        RuleFor(a => a.AmountCents).GreaterThanOrEqualTo(0);
        RuleFor(a => a.AmountCurrency).Cascade(CascadeMode.Stop).NotEmpty()
            .Must(c => Currencies.TryFind(c, out _)).WithErrorCode("value_is_invalid");
        if (creatingFrom is not null)
            RuleFor(_ => creatingFrom.AmountCents).NotNull().OverridePropertyName("amount_cents");
    }
}
