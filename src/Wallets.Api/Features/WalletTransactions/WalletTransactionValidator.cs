using FluentValidation;
using Wallets.Api.Data;
using Wallets.Domain.Money;

namespace Wallets.Api.Features.WalletTransactions;

public sealed class WalletTransactionValidator : AbstractValidator<WalletTransactionInput>
{
    public WalletTransactionValidator()
    {
        // A missing or malformed wallet_id is wallet_not_found, answered by the handler as for an unknown one (Lago).
        RuleFor(t => t.PaidCredits).MustBeCredits("invalid_paid_credits");
        RuleFor(t => t.GrantedCredits).MustBeCredits("invalid_granted_credits");
        RuleFor(t => t.VoidedCredits).MustBeCredits("invalid_voided_credits");
        RuleFor(t => t.VoidedTransactionId).Must(id => string.IsNullOrEmpty(id) || Guid.TryParse(id, out _)).WithErrorCode("wallet_transaction_not_found");
        // Lago: a blank name is no name; a longer one than the column is `too_long`.
        RuleFor(t => t.Name).Must(n => n is null || n.Length <= 255).WithErrorCode("too_long");
        RuleFor(t => t.Priority).InclusiveBetween(1, 50);
        RuleFor(t => t.Metadata).Must(m => m is null || m.Count <= 15).WithErrorCode("too_many_keys");
        RuleForEach(t => t.Metadata).NotNull().WithErrorCode("invalid_key_value_pair").ChildRules(MetadataRules.KeyValue).OverridePropertyName("metadata");
    }

    /// <summary>Credits are decimal text (or a JSON number), not negative, at most 10^25 − 1.</summary>
    public static bool BeCredits(string? text) => text is null || (DecimalText.TryParse(text, out var value) && value >= 0);
}

public static class CreditRules
{
    /// <summary>Lago reports a credit amount that is not one with two codes: `invalid_<field>` and `invalid_amount`.</summary>
    public static void MustBeCredits<T>(this IRuleBuilder<T, string?> rule, string code) =>
        rule.Must(WalletTransactionValidator.BeCredits).WithErrorCode(code)
            .Must(WalletTransactionValidator.BeCredits).WithErrorCode("invalid_amount");
}

public static class MetadataRules
{
    /// <summary>Lago's metadata pairs: a key of at most 20 characters and a value, present, of at most 100.</summary>
    public static void KeyValue(InlineValidator<KeyValue> pair)
    {
        pair.RuleFor(p => p.Key).NotEmpty().WithErrorCode("invalid_key_value_pair").MaximumLength(20).WithErrorCode("key_too_long");
        pair.RuleFor(p => p.Value).Must(v => !string.IsNullOrWhiteSpace(v)).WithErrorCode("invalid_key_value_pair")
            .MaximumLength(100).WithErrorCode("value_too_long");
    }
}
