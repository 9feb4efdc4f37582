namespace Wallets.Domain.Allocation;

/// <summary>
/// What a fee is for, as wallets see it: its fee type, the billable metric of its charge, and the wallet code its
/// events target. A blank target code is stored as null: Lago treats blank as "not targeted" (<c>present?</c>).
/// </summary>
public sealed record FeeKey
{
    /// <summary>The only fee type a billable-metric limitation can match.</summary>
    public const string ChargeFeeType = "charge";

    public FeeKey(string feeType, Guid? billableMetricId, string? targetWalletCode)
    {
        ArgumentNullException.ThrowIfNull(feeType);
        FeeType = feeType;
        BillableMetricId = billableMetricId;
        TargetWalletCode = string.IsNullOrWhiteSpace(targetWalletCode) ? null : targetWalletCode;
    }

    public string FeeType { get; }

    public Guid? BillableMetricId { get; }

    public string? TargetWalletCode { get; }

    /// <summary>
    /// Whether <paramref name="wallet"/> may pay this key (behavior.md §3.5): a targeted key only by the wallet with
    /// that code, limitations ignored; otherwise by a billable-metric match on a charge, an allowed fee type, or an
    /// unrestricted wallet (a union).
    /// </summary>
    public bool MayBePaidBy(WalletCandidate wallet)
    {
        if (TargetWalletCode is not null)
        {
            return string.Equals(wallet.Code, TargetWalletCode, StringComparison.Ordinal);
        }

        var metricMatch = FeeType == ChargeFeeType
            && BillableMetricId is { } metricId
            && wallet.BillableMetricIds.Contains(metricId);
        return metricMatch || wallet.AllowedFeeTypes.Contains(FeeType) || wallet.IsUnrestricted;
    }

    /// <summary>A total order on keys, used to break ties between equal amounts: fee type, metric (null first), target (null first).</summary>
    public static int CompareKeys(FeeKey x, FeeKey y)
    {
        var byType = string.CompareOrdinal(x.FeeType, y.FeeType);
        if (byType != 0)
        {
            return byType;
        }

        var byMetric = UuidOrder.Instance.Compare(x.BillableMetricId, y.BillableMetricId);
        return byMetric != 0 ? byMetric : string.CompareOrdinal(x.TargetWalletCode ?? "", y.TargetWalletCode ?? "");
    }
}
