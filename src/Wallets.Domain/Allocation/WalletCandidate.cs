namespace Wallets.Domain.Allocation;

/// <summary>
/// A wallet that may pay fees: the caller passes active wallets in the invoice currency.
/// <paramref name="AllowedFeeTypes"/> and <paramref name="BillableMetricIds"/> are its applies_to limitations
/// (both empty = unrestricted).
/// </summary>
public sealed record WalletCandidate(
    Guid Id,
    string? Code,
    int Priority,
    DateTimeOffset CreatedAt,
    long BalanceCents,
    IReadOnlySet<string> AllowedFeeTypes,
    IReadOnlySet<Guid> BillableMetricIds)
{
    /// <summary>True when the wallet has neither fee-type nor billable-metric limitations.</summary>
    public bool IsUnrestricted => AllowedFeeTypes.Count == 0 && BillableMetricIds.Count == 0;
}
