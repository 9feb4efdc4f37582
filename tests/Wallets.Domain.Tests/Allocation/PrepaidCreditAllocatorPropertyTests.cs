using CsCheck;
using Wallets.Domain.Allocation;

namespace Wallets.Domain.Tests.Allocation;

/// <summary>
/// Generated invoices and wallet sets; every allocation must respect the money limits and the targeting rule. A failure
/// is shrunk by CsCheck to its smallest invoice, and its seed printed to replay it.
/// </summary>
public sealed class PrepaidCreditAllocatorPropertyTests
{
    private static readonly DateTimeOffset T0 = new(2025, 3, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly string[] FeeTypes = ["charge", "subscription", "add_on", "fixed_charge", "commitment"];
    private static readonly string?[] Targets = [null, null, null, "", "w1", "w2", "w3", "ghost"];

    private static readonly Gen<Guid[]> MetricsGen = Gen.Guid.Array[3];

    private static Gen<WalletCandidate> WalletGen(Guid[] metrics) => Gen.Select(
        Gen.Guid, Gen.Int[1, 3], Gen.Int[0, 2], Gen.Frequency((1, Gen.Const(0L)), (4, Gen.Long[1, 4_999])),
        Gen.Frequency((2, Gen.Const(Array.Empty<bool>())), (1, Gen.Frequency((2, Gen.Const(false)), (1, Gen.Const(true))).Array[FeeTypes.Length])),
        Gen.Frequency((2, Gen.Const(Array.Empty<bool>())), (1, Gen.Bool.Array[metrics.Length])),
        (id, priority, minute, balance, feeMask, metricMask) => new WalletCandidate(
            id, "", priority, T0.AddMinutes(minute), balance,
            FeeTypes.Where((_, i) => i < feeMask.Length && feeMask[i]).ToHashSet(),
            metrics.Where((_, i) => i < metricMask.Length && metricMask[i]).ToHashSet()));

    private static Gen<FeeToPay> FeeGen(Guid[] metrics) => Gen.Select(
        Gen.Int[0, FeeTypes.Length - 1], Gen.Int[0, 3], Gen.Int[0, Targets.Length - 1], Gen.Long[-500, 3_999], Gen.Int[0, 9_999], Gen.Int[0, 4],
        (type, metric, target, whole, fraction, decimals) => new FeeToPay(
            FeeTypes[type],
            FeeTypes[type] == "charge" && metric < metrics.Length ? metrics[metric] : null,
            FeeTypes[type] == "charge" ? Targets[target] : null,
            Math.Round(whole + fraction / 10_000m, decimals)));

    /// <summary>An invoice: wallets (codes w1, w2 … by position), fees, and a total near the fees' sum.</summary>
    private static readonly Gen<(WalletCandidate[] Wallets, FeeToPay[] Fees, long Total)> InvoiceGen =
        from metrics in MetricsGen
        from wallets in WalletGen(metrics).Array[1, 6]
        from fees in FeeGen(metrics).Array[0, 8]
        from offset in Gen.Int[-60, 3]
        select (wallets.Select((w, i) => w with { Code = $"w{i + 1}" }).ToArray(), fees,
            (long)Math.Round(fees.Where(f => f.CapCents > 0).Sum(f => f.CapCents)) + offset);

    [Fact]
    public void Invoices_never_overdraw_a_wallet_a_bucket_or_the_invoice_and_ignore_input_order() =>
        InvoiceGen.Sample(invoice =>
        {
            var (wallets, fees, total) = invoice;
            var allocations = PrepaidCreditAllocator.Allocate(wallets, fees, total);

            AssertLimits(wallets, fees, total, allocations);
            var shuffled = PrepaidCreditAllocator.Allocate(wallets.Reverse().ToArray(), fees.Reverse().ToArray(), total);
            Assert.Equal(allocations.Select(a => (a.WalletId, a.AmountCents)), shuffled.Select(a => (a.WalletId, a.AmountCents)));
        }, iter: 2_000);

    private static void AssertLimits(WalletCandidate[] wallets, FeeToPay[] fees, long total, IReadOnlyList<WalletAllocation> allocations)
    {
        var ordered = WalletApplicationOrder.Sort(wallets);
        var buckets = FeeBuckets.Build(fees, total);
        Assert.True(allocations.Sum(a => a.AmountCents) <= Math.Max(0, total));
        Assert.Equal(ordered.Select(w => w.Id).Where(id => allocations.Any(a => a.WalletId == id)), allocations.Select(a => a.WalletId));

        var bucketLeft = buckets.ToDictionary(b => b.Key, b => b.AmountCents);
        decimal invoiceLeft = Math.Max(0, total);
        foreach (var wallet in ordered)
        {
            var allocation = allocations.SingleOrDefault(a => a.WalletId == wallet.Id);
            var takes = allocation?.Takes ?? [];
            var used = takes.Sum(t => t.AmountCents);
            Assert.True(used <= wallet.BalanceCents);
            if (allocation is not null)
            {
                Assert.InRange(allocation.AmountCents, 1, wallet.BalanceCents);
                Assert.True(allocation.AmountCents <= Math.Round(used, MidpointRounding.AwayFromZero));
            }

            foreach (var take in takes)
            {
                Assert.True(take.AmountCents > 0);
                Assert.True(take.Key.MayBePaidBy(wallet));
                if (take.Key.TargetWalletCode is { } code)
                {
                    Assert.Equal(code, wallet.Code);
                }

                bucketLeft[take.Key] -= take.AmountCents;
                invoiceLeft -= take.AmountCents;
                Assert.True(bucketLeft[take.Key] >= 0, "a bucket was paid beyond its amount");
            }

            // Greedy and complete: after its turn a wallet is empty, or nothing it may pay is left, or the invoice is settled.
            var payableLeft = buckets.Where(b => b.Key.MayBePaidBy(wallet) && bucketLeft[b.Key] > 0).ToList();
            if (allocation is null && payableLeft.Count > 0
                && decimal.Round(Math.Min(Math.Min(payableLeft.Sum(b => bucketLeft[b.Key]), invoiceLeft), wallet.BalanceCents), 0, MidpointRounding.AwayFromZero) == 0)
            {
                // Takes are exact and a wallet's total rounds once (as Lago's): a share under half a cent is taken and
                // rounds to no payment, so those sub-cent remainders are settled and nobody after pays them.
                var share = 0m;
                foreach (var bucket in payableLeft)
                {
                    var take = Math.Min(bucketLeft[bucket.Key], Math.Min(wallet.BalanceCents - share, invoiceLeft));
                    if (take <= 0) continue;
                    bucketLeft[bucket.Key] -= take;
                    invoiceLeft -= take;
                    share += take;
                }
                continue;
            }
            Assert.True(used >= wallet.BalanceCents || payableLeft.Count == 0 || invoiceLeft <= 0,
                $"wallet {wallet.Id} stopped early: used {used} of {wallet.BalanceCents}, left it may pay {string.Join(", ", payableLeft.Select(b => $"{b.Key.FeeType} {bucketLeft[b.Key]}"))}, invoice left {invoiceLeft}");
        }

        Assert.True(invoiceLeft >= 0);
    }
}
