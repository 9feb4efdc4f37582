using Wallets.Domain.Allocation;

namespace Wallets.Domain.Tests.Allocation;

/// <summary>Generated invoices and wallet sets; every allocation must respect the money limits and the targeting rule.</summary>
public sealed class PrepaidCreditAllocatorRandomizedTests
{
    private static readonly DateTimeOffset T0 = new(2025, 3, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly string[] FeeTypes = ["charge", "subscription", "add_on", "fixed_charge", "commitment"];
    private static readonly string?[] Targets = [null, null, null, "", "w1", "w2", "w3", "ghost"];

    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    [InlineData(13)]
    [InlineData(14)]
    public void Random_invoices_never_overdraw_a_wallet_a_bucket_or_the_invoice(int seed)
    {
        var random = new Random(seed);
        var metrics = Enumerable.Range(0, 3).Select(_ => RandomGuid(random)).ToArray();
        for (var invoice = 0; invoice < 500; invoice++)
        {
            var wallets = Enumerable.Range(1, random.Next(1, 7)).Select(n => RandomWallet(random, n, metrics)).ToArray();
            var fees = Enumerable.Range(0, random.Next(0, 9)).Select(_ => RandomFee(random, metrics)).ToArray();
            var total = (long)Math.Round(fees.Where(f => f.CapCents > 0).Sum(f => f.CapCents)) + random.Next(-60, 4);

            var allocations = PrepaidCreditAllocator.Allocate(wallets, fees, total);

            AssertLimits(wallets, fees, total, allocations);
            var shuffled = PrepaidCreditAllocator.Allocate(wallets.Reverse().ToArray(), fees.Reverse().ToArray(), total);
            Assert.Equal(allocations.Select(a => (a.WalletId, a.AmountCents)), shuffled.Select(a => (a.WalletId, a.AmountCents)));
        }
    }

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
            Assert.True(used >= wallet.BalanceCents || payableLeft.Count == 0 || invoiceLeft <= 0, $"wallet {wallet.Id} stopped early");
        }

        Assert.True(invoiceLeft >= 0);
    }

    private static WalletCandidate RandomWallet(Random random, int n, Guid[] metrics)
    {
        var feeTypes = random.Next(3) == 0 ? FeeTypes.Where(_ => random.Next(3) == 0).ToHashSet() : [];
        var metricIds = random.Next(3) == 0 ? metrics.Where(_ => random.Next(2) == 0).ToHashSet() : [];
        var balance = random.Next(5) == 0 ? 0 : random.NextInt64(1, 5_000);
        return new WalletCandidate(
            RandomGuid(random), $"w{n}", random.Next(1, 4), T0.AddMinutes(random.Next(3)), balance, feeTypes, metricIds);
    }

    private static FeeToPay RandomFee(Random random, Guid[] metrics)
    {
        var type = FeeTypes[random.Next(FeeTypes.Length)];
        Guid? metric = type == "charge" && random.Next(4) != 0 ? metrics[random.Next(metrics.Length)] : null;
        var target = type == "charge" ? Targets[random.Next(Targets.Length)] : null;
        var cap = Math.Round(random.NextInt64(-500, 4_000) + random.Next(10_000) / 10_000m, random.Next(5));
        return new FeeToPay(type, metric, target, cap);
    }

    private static Guid RandomGuid(Random random)
    {
        var bytes = new byte[16];
        random.NextBytes(bytes);
        return new Guid(bytes);
    }
}
