namespace Wallets.Domain.Allocation;

/// <summary>What one wallet pays towards one fee bucket, before rounding (buckets may carry fractional cents).</summary>
public sealed record BucketTake(FeeKey Key, decimal AmountCents);

/// <summary>What one wallet pays on an invoice: one outbound invoiced transaction of <paramref name="AmountCents"/>.</summary>
public sealed record WalletAllocation(Guid WalletId, long AmountCents, IReadOnlyList<BucketTake> Takes);

/// <summary>
/// Decides how much each wallet pays on an invoice (behavior.md §3.3–3.5, DESIGN decision 3). Pure: the caller
/// applies each allocation (outbound transaction, consumption rows, balance) under its customer lock.
/// </summary>
public static class PrepaidCreditAllocator
{
    /// <summary>
    /// Walks the wallets in <see cref="WalletApplicationOrder"/> and, per wallet, the buckets it may pay (largest first),
    /// taking min(bucket left, wallet balance left, invoice left). Returns only wallets that pay more than 0, in
    /// wallet order. <paramref name="wallets"/>: active wallets in the invoice currency; <paramref name="totalAmountCents"/>:
    /// the tax-inclusive invoice total after credit notes.
    /// </summary>
    public static IReadOnlyList<WalletAllocation> Allocate(
        IReadOnlyList<WalletCandidate> wallets,
        IReadOnlyList<FeeToPay> fees,
        long totalAmountCents)
    {
        ArgumentNullException.ThrowIfNull(wallets);
        ArgumentNullException.ThrowIfNull(fees);
        var ordered = WalletApplicationOrder.Sort(wallets);
        if (totalAmountCents <= 0)
        {
            return [];
        }

        var buckets = FeeBuckets.Build(fees, totalAmountCents);
        var bucketLeft = buckets.Select(b => b.AmountCents).ToArray();
        decimal invoiceLeft = totalAmountCents;
        var allocatedCents = 0L;
        var allocations = new List<WalletAllocation>();

        foreach (var wallet in ordered)
        {
            var takes = new List<BucketTake>();
            var used = 0m;
            for (var i = 0; i < buckets.Count; i++)
            {
                var walletLeft = wallet.BalanceCents - used;
                if (walletLeft <= 0m)
                {
                    break;
                }

                if (bucketLeft[i] <= 0m || !buckets[i].Key.MayBePaidBy(wallet))
                {
                    continue;
                }

                var take = Math.Min(bucketLeft[i], Math.Min(walletLeft, invoiceLeft));
                if (take <= 0m)
                {
                    continue;
                }

                bucketLeft[i] -= take;
                invoiceLeft -= take;
                used += take;
                takes.Add(new BucketTake(buckets[i].Key, take));
            }

            // Takes stay exact like Lago's; the wallet total rounds half-up once (WalletCredit.from_amount_cents) and is
            // clamped so two rounded-up halves can never charge more than the invoice total (the balance, an integer, holds anyway).
            var rounded = (long)decimal.Round(used, 0, MidpointRounding.AwayFromZero);
            var amount = Math.Min(rounded, totalAmountCents - allocatedCents);
            if (amount <= 0)
            {
                continue;
            }

            allocatedCents += amount;
            allocations.Add(new WalletAllocation(wallet.Id, amount, takes));
        }

        return allocations;
    }
}
