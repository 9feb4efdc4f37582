namespace Wallets.Domain.Allocation;

/// <summary>
/// A fee to be paid by wallets. <paramref name="CapCents"/> is its tax-inclusive amount after coupons and credit notes
/// (sub_total_excluding_taxes + taxes_precise − precise_credit_notes); it may be fractional.
/// </summary>
public sealed record FeeToPay(string FeeType, Guid? BillableMetricId, string? TargetWalletCode, decimal CapCents);

/// <summary>The amount wallets may pay for one fee key.</summary>
public sealed record FeeBucket(FeeKey Key, decimal AmountCents);

/// <summary>Groups an invoice's fees into the buckets wallets pay (behavior.md §3.3).</summary>
public static class FeeBuckets
{
    /// <summary>
    /// Sums the positive caps per key, orders the buckets by amount descending (ties by key), and adds a small
    /// positive rounding difference (at most 1 cent per bucket) between the invoice total and the caps to the largest.
    /// </summary>
    public static IReadOnlyList<FeeBucket> Build(IEnumerable<FeeToPay> fees, long totalAmountCents)
    {
        ArgumentNullException.ThrowIfNull(fees);

        var sums = new Dictionary<FeeKey, decimal>();
        foreach (var fee in fees)
        {
            // Lago skips each non-positive fee before summing, so a refunded fee cannot shrink its neighbours.
            if (fee.CapCents <= 0m)
            {
                continue;
            }

            var key = new FeeKey(fee.FeeType, fee.BillableMetricId, fee.TargetWalletCode);
            sums[key] = sums.GetValueOrDefault(key) + fee.CapCents;
        }

        var buckets = sums.Select(pair => new FeeBucket(pair.Key, pair.Value)).ToList();
        buckets.Sort(ByAmountDescending);
        if (buckets.Count == 0)
        {
            return buckets;
        }

        // Precise taxes can leave the invoice total a cent or so above the caps; the largest bucket absorbs it.
        var difference = totalAmountCents - buckets.Sum(b => b.AmountCents);
        if (difference > 0m && difference <= buckets.Count)
        {
            buckets[0] = buckets[0] with { AmountCents = buckets[0].AmountCents + difference };
        }

        return buckets;
    }

    private static int ByAmountDescending(FeeBucket x, FeeBucket y)
    {
        var byAmount = y.AmountCents.CompareTo(x.AmountCents);
        return byAmount != 0 ? byAmount : FeeKey.CompareKeys(x.Key, y.Key);
    }
}
