using Wallets.Domain.TopUps;

namespace Wallets.Domain.Tests.TopUps;

public class RuleTopUpsTests
{
    private static TopUpRule Fixed(decimal paid, decimal granted, decimal threshold) => new(paid, granted, threshold, null, false);
    private static TopUpWallet Wallet(decimal ongoing, decimal pending = 0, decimal? min = null, decimal? max = null) => new(ongoing, pending, min, max);

    [Theory]
    [InlineData(10, 0, true)]     // at the threshold: fires
    [InlineData(10.00001, 0, false)]
    [InlineData(-5, 0, true)]     // usage beyond the balance
    [InlineData(5, 6, false)]     // a purchase awaiting payment already lifts it above
    [InlineData(5, 5, true)]
    public void A_threshold_rule_fires_at_or_below_its_threshold_counting_pending_purchases(decimal ongoing, decimal pending, bool fires) =>
        Assert.Equal(fires, RuleTopUps.IsBelowThreshold(Fixed(20, 0, 10), Wallet(ongoing, pending)));

    [Fact]
    public void A_fixed_threshold_rule_buys_its_credits_when_the_gap_is_smaller_than_them() =>
        Assert.Equal(new TopUpAmount(20, 5), RuleTopUps.OnThreshold(Fixed(20, 5, 10), Wallet(ongoing: 8), ignoreLimits: false));

    [Fact]
    public void A_fixed_threshold_rule_buys_enough_multiples_to_close_a_larger_gap_and_one_more()
    {
        // gap = 100 − (−30) − 0 − 0 = 130 → floor(130 / 20) + 1 = 7 multiples.
        Assert.Equal(new TopUpAmount(140, 0), RuleTopUps.OnThreshold(Fixed(20, 0, 100), Wallet(ongoing: -30), ignoreLimits: false));
        // The granted credits and pending purchases narrow the gap: 100 − (−30) − 10 − 5 = 115 → 6 multiples.
        Assert.Equal(new TopUpAmount(120, 10), RuleTopUps.OnThreshold(Fixed(20, 10, 100), Wallet(ongoing: -30, pending: 5), ignoreLimits: false));
    }

    [Fact]
    public void Multiples_stop_at_the_wallets_maximum_unless_the_rule_ignores_limits()
    {
        Assert.Equal(new TopUpAmount(60, 0), RuleTopUps.OnThreshold(Fixed(20, 0, 100), Wallet(ongoing: -30, max: 70), ignoreLimits: false));
        Assert.Equal(new TopUpAmount(140, 0), RuleTopUps.OnThreshold(Fixed(20, 0, 100), Wallet(ongoing: -30, max: 70), ignoreLimits: true));
        // Never fewer than one multiple: the limit check then refuses it as it would refuse the rule's own credits.
        Assert.Equal(new TopUpAmount(20, 0), RuleTopUps.OnThreshold(Fixed(20, 0, 100), Wallet(ongoing: -30, max: 10), ignoreLimits: false));
    }

    [Fact]
    public void Multiples_beyond_any_amount_become_the_largest_amount_for_the_caller_to_refuse() =>
        Assert.Equal(decimal.MaxValue, RuleTopUps.OnThreshold(Fixed(0.00001m, 0, 9_999_999_999_999_999_999_999_999m), Wallet(ongoing: 0), ignoreLimits: true).Paid);

    [Fact]
    public void A_target_rule_tops_up_the_gap_to_its_target_raised_to_the_minimum()
    {
        var rule = new TopUpRule(0, 0, 10, 200, false);
        Assert.Equal(new TopUpAmount(150, 0), RuleTopUps.OnThreshold(rule, Wallet(ongoing: 50), ignoreLimits: false));
        Assert.Equal(new TopUpAmount(300, 0), RuleTopUps.OnThreshold(rule, Wallet(ongoing: 50, min: 300), ignoreLimits: false));
        Assert.True(RuleTopUps.OnInterval(rule, Wallet(ongoing: 250)).IsNone);
    }

    [Fact]
    public void A_target_rule_that_grants_its_top_ups_grants_the_gap_without_limits() =>
        Assert.Equal(new TopUpAmount(0, 150), RuleTopUps.OnInterval(new TopUpRule(0, 0, 0, 200, true), Wallet(ongoing: 50, min: 300)));

    [Fact]
    public void A_fixed_interval_rule_tops_up_its_credits_whatever_the_balance() =>
        Assert.Equal(new TopUpAmount(20, 5), RuleTopUps.OnInterval(Fixed(20, 5, 0), Wallet(ongoing: 1_000_000)));
}
