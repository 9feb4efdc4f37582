using System.Globalization;
using FluentValidation;
using Wallets.Api.Features.WalletTransactions;
using Wallets.Domain.Money;

namespace Wallets.Api.Features.Wallets;

/// <summary>Field rules of wallet create and update; rules that need the database live in the handler.</summary>
public sealed class WalletValidator : AbstractValidator<WalletInput>
{
    /// <summary>Lago's fee types (`Fee::FEE_TYPES`), the values `applies_to.fee_types` may name.</summary>
    public static readonly IReadOnlySet<string> FeeTypes = new HashSet<string>
        { "charge", "add_on", "subscription", "credit", "commitment", "fixed_charge", "product" };

    public WalletValidator(bool creating, DateTimeOffset now)
    {
        if (creating)
        {
            RuleFor(w => w.RateAmount).NotEmpty().DependentRules(() =>
                RuleFor(w => w.RateAmount).Must(r => DecimalText.TryParse(r, out _)).WithErrorCode("value_is_invalid").DependentRules(() =>
                    RuleFor(w => w.RateAmount).Must(r => DecimalText.TryParse(r, out var rate) && rate > 0 && Math.Round(rate, 5) > 0)
                        .WithErrorCode("value_is_out_of_range")));
            // Absent, the customer's currency is used (checked in the handler).
            RuleFor(w => w.Currency).Must(c => c is null || Currencies.TryFind(c, out _)).WithErrorCode("value_is_invalid");
            RuleFor(w => w.PaidCredits).MustBeCredits("invalid_paid_credits");
            RuleFor(w => w.GrantedCredits).MustBeCredits("invalid_granted_credits");
            RuleFor(w => w.TransactionPriority).InclusiveBetween(1, 50);
            RuleFor(w => w.TransactionName).Must(n => n is null || n.Length is > 0 and <= 255).WithErrorCode("invalid_value");
            // Lago validates transaction_metadata with the transactions' metadata validator, so its errors are on `metadata`.
            RuleFor(w => w.TransactionMetadata).Must(m => m is null || m.Count <= 15).WithErrorCode("too_many_keys").OverridePropertyName("metadata");
            RuleForEach(w => w.TransactionMetadata).NotNull().WithErrorCode("invalid_key_value_pair").ChildRules(MetadataRules.KeyValue).OverridePropertyName("metadata");
            RuleFor(w => w.AppliesTo).Must(a => a?.FeeTypes is null || a.FeeTypes.All(FeeTypes.Contains)).WithErrorCode("invalid_limitations");
        }
        else
        {
            RuleFor(w => w.AppliesTo).Must(a => a?.FeeTypes is null || a.FeeTypes.All(FeeTypes.Contains))
                .WithErrorCode("invalid_fee_types").OverridePropertyName("allowed_fee_types");
        }

        RuleFor(w => w.Name).MaximumLength(255);
        RuleFor(w => w.Code).Must(c => c is null || c.Trim().Length is > 0 and <= 255).WithErrorCode("value_is_invalid");
        RuleFor(w => w.Priority).InclusiveBetween(1, 50);
        RuleFor(w => w.ExpirationAt).Must(e => e is null || (TryParseTime(e, out var at) && at > now)).WithErrorCode("invalid_date");
        RuleFor(w => w.PaidTopUpMinAmountCents).GreaterThan(0);
        RuleFor(w => w.PaidTopUpMaxAmountCents).GreaterThan(0);
        RuleFor(w => w.Metadata).Must(m => m is null || m.All(p => p.Key.Length is > 0 and <= 100 && (p.Value?.Length ?? 0) <= 255))
            .WithErrorCode("invalid_metadata");
        RuleFor(w => w.RecurringTransactionRules).Must(r => r is null || r.Count <= 1).WithErrorCode("invalid_number_of_recurring_rules");
    }

    public static bool TryParseTime(string? text, out DateTimeOffset value) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out value);
}
