using Wallets.Domain.Allocation;
using static Wallets.Domain.Tests.Allocation.Build;

namespace Wallets.Domain.Tests.Allocation;

public sealed class PrepaidCreditAllocatorTests
{
    private static readonly Guid Metric = Id(900);
    private static readonly Guid OtherMetric = Id(901);

    private static (Guid, long)[] Pay(WalletCandidate[] wallets, FeeToPay[] fees, long total) =>
        PrepaidCreditAllocator.Allocate(wallets, fees, total).Select(a => (a.WalletId, a.AmountCents)).ToArray();

    [Fact]
    public void Lago_worked_example_spreads_5150_over_six_wallets()
    {
        WalletCandidate[] wallets =
        [
            Wallet(1, 1000, priority: 49, minute: 0),
            Wallet(2, 1000, priority: 49, minute: 1, feeTypes: ["charge"]),
            Wallet(3, 1000, priority: 49, minute: 2, feeTypes: ["subscription"]),
            Wallet(4, 1000, priority: 50, minute: 3),
            Wallet(5, 1000, priority: 50, minute: 4, feeTypes: ["charge"]),
            Wallet(6, 1000, priority: 50, minute: 5, feeTypes: ["subscription"]),
        ];

        var paid = Pay(wallets, [Fee("subscription", 3500m + 100m), Fee("charge", 1500m + 50m, Metric)], 5150);

        Assert.Equal([(Id(1), 1000L), (Id(2), 1000L), (Id(3), 1000L), (Id(4), 1000L), (Id(5), 550L), (Id(6), 600L)], paid);
    }

    [Fact]
    public void Wallets_pay_in_priority_then_creation_order_whatever_the_input_order()
    {
        WalletCandidate[] wallets = [Wallet(1, 500, priority: 50, minute: 0), Wallet(2, 500, priority: 10, minute: 5), Wallet(3, 500, priority: 50, minute: -1)];

        var paid = Pay(wallets, [Fee("subscription", 1200m)], 1200);

        Assert.Equal([(Id(2), 500L), (Id(3), 500L), (Id(1), 200L)], paid);
    }

    [Fact]
    public void Equal_priority_and_creation_time_fall_back_to_id_order()
    {
        var paid = Pay([Wallet(2, 500), Wallet(1, 500)], [Fee("subscription", 300m)], 300);

        Assert.Equal([(Id(1), 300L)], paid);
    }

    [Fact]
    public void A_bucket_targeting_a_wallet_is_paid_only_by_that_wallet()
    {
        WalletCandidate[] wallets = [Wallet(1, 1000, code: "w1", priority: 1), Wallet(2, 100, code: "w2", priority: 50)];

        var paid = Pay(wallets, [Fee("charge", 300m, Metric, target: "w2")], 300);

        Assert.Equal([(Id(2), 100L)], paid);
    }

    [Fact]
    public void A_bucket_targeting_an_unknown_code_is_paid_by_nobody()
    {
        WalletCandidate[] wallets = [Wallet(1, 1000, code: "w1"), Wallet(2, 1000, code: "w2")];

        var paid = Pay(wallets, [Fee("charge", 300m, Metric, target: "ghost"), Fee("subscription", 200m)], 500);

        Assert.Equal([(Id(1), 200L)], paid);
    }

    [Fact]
    public void Target_codes_match_exactly()
    {
        var paid = Pay([Wallet(1, 1000, code: "W2"), Wallet(2, 1000) with { Code = null }], [Fee("charge", 300m, Metric, target: "w2")], 300);

        Assert.Empty(paid);
    }

    [Fact]
    public void A_targeted_wallet_pays_whatever_its_limitations()
    {
        var paid = Pay([Wallet(1, 1000, code: "w1", feeTypes: ["subscription"])], [Fee("charge", 300m, Metric, target: "w1")], 300);

        Assert.Equal([(Id(1), 300L)], paid);
    }

    [Fact]
    public void A_billable_metric_limitation_pays_only_charges_of_that_metric()
    {
        WalletCandidate[] wallets = [Wallet(1, 1000, priority: 1, metrics: [Metric]), Wallet(2, 1000, priority: 2)];

        var paid = PrepaidCreditAllocator.Allocate(
            wallets,
            [Fee("charge", 300m, Metric), Fee("charge", 200m, OtherMetric), Fee("subscription", 100m)],
            600);

        Assert.Equal([(Id(1), 300L), (Id(2), 300L)], paid.Select(a => (a.WalletId, a.AmountCents)));
        Assert.Equal([new BucketTake(new FeeKey("charge", Metric, null), 300m)], paid[0].Takes);
    }

    [Fact]
    public void A_billable_metric_limitation_never_matches_a_fee_that_is_not_a_charge()
    {
        var paid = Pay([Wallet(1, 1000, metrics: [Metric])], [Fee("fixed_charge", 300m, Metric), Fee("subscription", 100m)], 400);

        Assert.Empty(paid);
    }

    [Fact]
    public void Fee_types_and_billable_metrics_combine_as_a_union()
    {
        var wallet = Wallet(1, 1000, feeTypes: ["subscription"], metrics: [Metric]);

        var paid = Pay([wallet], [Fee("charge", 300m, Metric), Fee("subscription", 100m), Fee("charge", 50m, OtherMetric)], 450);

        Assert.Equal([(Id(1), 400L)], paid);
    }

    [Fact]
    public void Nothing_is_allocated_on_a_zero_or_negative_invoice()
    {
        Assert.Empty(Pay([Wallet(1, 1000)], [Fee("subscription", 100m)], 0));
        Assert.Empty(Pay([Wallet(1, 1000)], [Fee("subscription", 100m)], -5));
    }

    [Fact]
    public void Allocation_never_exceeds_the_invoice_total()
    {
        var paid = Pay([Wallet(1, 1000), Wallet(2, 1000)], [Fee("subscription", 800m), Fee("charge", 700m)], 1200);

        Assert.Equal([(Id(1), 1000L), (Id(2), 200L)], paid);
    }

    [Fact]
    public void Fractional_bucket_takes_round_half_up_per_wallet()
    {
        WalletCandidate[] wallets = [Wallet(1, 1000, feeTypes: ["subscription"]), Wallet(2, 1000, feeTypes: ["charge"])];

        var paid = Pay(wallets, [Fee("subscription", 100.5m), Fee("charge", 99.5m)], 200);

        Assert.Equal([(Id(1), 101L), (Id(2), 99L)], paid);
    }

    [Fact]
    public void Two_rounded_up_halves_never_charge_more_than_the_invoice_total()
    {
        WalletCandidate[] wallets = [Wallet(1, 1000, feeTypes: ["subscription"]), Wallet(2, 1000, feeTypes: ["charge"])];

        var paid = Pay(wallets, [Fee("subscription", 10.5m), Fee("charge", 10.5m)], 21);

        Assert.Equal([(Id(1), 11L), (Id(2), 10L)], paid);
    }

    [Fact]
    public void Wallets_with_nothing_to_pay_are_left_out()
    {
        WalletCandidate[] wallets = [Wallet(1, 1000, feeTypes: ["add_on"]), Wallet(2, 0), Wallet(3, 1000)];

        var paid = Pay(wallets, [Fee("subscription", 100m)], 100);

        Assert.Equal([(Id(3), 100L)], paid);
    }

    [Fact]
    public void The_reconciliation_cent_can_be_paid()
    {
        var paid = Pay([Wallet(1, 1000)], [Fee("subscription", 99.6m), Fee("charge", 99.6m)], 200);

        Assert.Equal([(Id(1), 200L)], paid);
    }

    [Fact]
    public void The_same_wallet_twice_is_a_programming_error()
    {
        Assert.Throws<ArgumentException>(() => Pay([Wallet(1, 10), Wallet(1, 20)], [Fee("subscription", 5m)], 5));
    }
}
