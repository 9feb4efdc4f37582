using Wallets.Domain.Allocation;
using static Wallets.Domain.Tests.Allocation.Build;

namespace Wallets.Domain.Tests.Allocation;

public sealed class OngoingUsageAllocatorTests
{
    private static readonly Guid Metric = Id(900);

    private static OngoingWallet Ongoing(WalletCandidate wallet, bool threshold = false) => new(wallet, threshold);

    private static UsageByKey Usage(string type, long cents, Guid? metric = null, string? target = null) =>
        new(type, metric, target, cents);

    private static long[] Allocate(OngoingWallet[] wallets, params UsageByKey[] usage) =>
        OngoingUsageAllocator.Allocate(wallets, usage).Select(u => u.OngoingUsageCents).ToArray();

    [Fact]
    public void Usage_cascades_over_wallets_in_application_order()
    {
        var allocated = Allocate([Ongoing(Wallet(1, 1000, priority: 1)), Ongoing(Wallet(2, 1000, priority: 2))], Usage("charge", 1500));

        Assert.Equal([1000L, 500L], allocated);
    }

    [Fact]
    public void The_last_applicable_wallet_takes_the_overflow_beyond_its_balance()
    {
        var allocated = Allocate([Ongoing(Wallet(1, 1000, priority: 1)), Ongoing(Wallet(2, 1000, priority: 2))], Usage("charge", 2500));

        Assert.Equal([1000L, 1500L], allocated);
    }

    [Fact]
    public void A_wallet_with_an_active_threshold_rule_takes_everything_left()
    {
        var allocated = Allocate(
            [Ongoing(Wallet(1, 100, priority: 1), threshold: true), Ongoing(Wallet(2, 1000, priority: 2))],
            Usage("charge", 1500));

        Assert.Equal([1500L, 0L], allocated);
    }

    [Fact]
    public void A_wallet_with_no_balance_passes_usage_on()
    {
        var allocated = Allocate([Ongoing(Wallet(1, 0, priority: 1)), Ongoing(Wallet(2, 500, priority: 2))], Usage("charge", 300));

        Assert.Equal([0L, 300L], allocated);
    }

    [Fact]
    public void Over_billed_keys_lower_the_budget_of_the_others()
    {
        var allocated = Allocate([Ongoing(Wallet(1, 5000))], Usage("charge", 1000), Usage("subscription", -400));

        Assert.Equal([600L], allocated);
    }

    [Fact]
    public void A_negative_total_allocates_nothing()
    {
        var allocated = Allocate([Ongoing(Wallet(1, 5000))], Usage("charge", 100), Usage("subscription", -400));

        Assert.Equal([0L], allocated);
    }

    [Fact]
    public void Entries_for_the_same_key_are_netted()
    {
        var allocated = Allocate([Ongoing(Wallet(1, 5000))], Usage("charge", 1000, Metric), Usage("charge", -300, Metric));

        Assert.Equal([700L], allocated);
    }

    [Fact]
    public void A_targeted_key_goes_only_to_its_wallet_even_beyond_its_balance()
    {
        var allocated = Allocate(
            [Ongoing(Wallet(1, 5000, code: "w1", priority: 1)), Ongoing(Wallet(2, 100, code: "w2", priority: 2))],
            Usage("charge", 300, Metric, target: "w2"));

        Assert.Equal([0L, 300L], allocated);
    }

    [Fact]
    public void A_targeted_key_whose_wallet_is_absent_is_allocated_to_nobody()
    {
        var allocated = Allocate([Ongoing(Wallet(1, 5000, code: "w1"))], Usage("charge", 300, Metric, target: "ghost"));

        Assert.Equal([0L], allocated);
    }

    [Fact]
    public void Limited_wallets_receive_only_the_usage_they_may_pay()
    {
        var allocated = Allocate(
            [Ongoing(Wallet(1, 5000, priority: 1, feeTypes: ["charge"])), Ongoing(Wallet(2, 5000, priority: 2))],
            Usage("subscription", 400),
            Usage("charge", 300));

        Assert.Equal([300L, 400L], allocated);
    }

    [Fact]
    public void Keys_are_allocated_largest_first()
    {
        // Subscription first: only wallet 1 may pay it; then charge finds 200 left in wallet 1 and wallet 2 takes the rest.
        var allocated = Allocate(
            [Ongoing(Wallet(1, 1000, priority: 1)), Ongoing(Wallet(2, 1000, priority: 2, feeTypes: ["charge"]))],
            Usage("charge", 600),
            Usage("subscription", 800));

        Assert.Equal([1000L, 400L], allocated);
    }

    [Fact]
    public void Usage_no_wallet_may_pay_stays_unallocated()
    {
        var allocated = Allocate([Ongoing(Wallet(1, 1000, feeTypes: ["charge"]))], Usage("subscription", 800));

        Assert.Equal([0L], allocated);
    }

    [Fact]
    public void Every_wallet_is_reported_in_application_order_even_without_usage()
    {
        var result = OngoingUsageAllocator.Allocate([Ongoing(Wallet(2, 10, priority: 9)), Ongoing(Wallet(1, 10, priority: 3))], []);

        Assert.Equal([new OngoingUsage(Id(1), 0), new OngoingUsage(Id(2), 0)], result);
    }

    [Theory]
    [InlineData(21)]
    [InlineData(22)]
    public void Random_usage_is_allocated_up_to_the_budget_and_only_to_wallets_that_may_pay_it(int seed)
    {
        var random = new Random(seed);
        string[] types = ["charge", "subscription", "add_on"];
        string?[] targets = [null, null, "w1", "w2", "ghost"];
        for (var round = 0; round < 500; round++)
        {
            var wallets = Enumerable.Range(1, random.Next(1, 5))
                .Select(n => Ongoing(
                    Wallet(n, random.Next(0, 2000), priority: random.Next(1, 3), feeTypes: random.Next(3) == 0 ? [types[random.Next(3)]] : []),
                    threshold: random.Next(6) == 0))
                .ToArray();
            var usage = Enumerable.Range(0, random.Next(0, 6))
                .Select(_ => Usage(types[random.Next(3)], random.Next(-500, 3000), target: targets[random.Next(targets.Length)]))
                .ToArray();

            var result = OngoingUsageAllocator.Allocate(wallets, usage);

            // Keys nobody may pay keep their budget; every other key is absorbed in full until the budget runs out.
            var budget = Math.Max(0L, usage.Sum(u => u.AmountCents));
            var payable = usage
                .GroupBy(u => new FeeKey(u.FeeType, u.BillableMetricId, u.TargetWalletCode))
                .Where(g => g.Sum(u => u.AmountCents) > 0 && wallets.Any(w => g.Key.MayBePaidBy(w.Wallet)))
                .Sum(g => g.Sum(u => u.AmountCents));
            Assert.Equal(Math.Min(budget, payable), result.Sum(r => r.OngoingUsageCents));
            Assert.All(result, r => Assert.True(r.OngoingUsageCents >= 0));
            Assert.Equal(wallets.Length, result.Count);
        }
    }
}
