namespace Wallets.Domain.Allocation;

/// <summary>Lago's error codes for consumption failures; Lago reports all three under the field <see cref="Field"/>.</summary>
public static class AllocationErrors
{
    /// <summary>The field Lago puts these codes under in <c>error_details</c>.</summary>
    public const string Field = "amount_cents";

    /// <summary>The debit is larger than the sum of the wallet's remaining grants.</summary>
    public const string ExceedsAvailableAmount = "exceeds_available_amount";

    /// <summary>A targeted debit is larger than the remaining amount of its grant.</summary>
    public const string ExceedsRemainingTransactionAmount = "exceeds_remaining_transaction_amount";

    /// <summary>A targeted debit names a grant with nothing left (Lago reports it under <c>voided_transaction_id</c> for voids).</summary>
    public const string NoRemainingAmount = "no_remaining_amount";
}
