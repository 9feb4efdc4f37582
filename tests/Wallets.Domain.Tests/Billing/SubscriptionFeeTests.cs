using System.Globalization;
using Wallets.Domain.Billing;

namespace Wallets.Domain.Tests.Billing;

public sealed class SubscriptionFeeTests
{
    private static readonly TimeZoneInfo Utc = TimeZoneInfo.Utc;

    private static DateTimeOffset At(string iso) =>
        DateTimeOffset.Parse(iso, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    private static BillingPeriod January(TimeZoneInfo? zone = null) =>
        BillingPeriod.Containing(At("2026-01-15T12:00:00Z"), PlanInterval.Monthly, BillingTime.Calendar, At("2025-01-01T00:00:00Z"), zone ?? Utc);

    [Fact]
    public void A_whole_period_costs_the_plan_amount()
    {
        var period = January();
        Assert.Equal(10_000, SubscriptionFee.AmountCents(10_000, period, period.From, period.NextFrom, Utc));
        // A window wider than the period is clamped to it.
        Assert.Equal(10_000, SubscriptionFee.AmountCents(10_000, period, period.From.AddDays(-3), period.NextFrom.AddDays(3), Utc));
    }

    [Theory]
    [InlineData("2026-01-15T10:00:00Z", 5_484)] // 17 started days of 31: 10000 × 17 / 31 = 5483.87
    [InlineData("2026-01-15T00:00:00Z", 5_484)] // midnight: the same 17 days
    [InlineData("2026-01-31T23:00:00Z", 323)]   // one started day
    public void A_first_period_started_mid_month_costs_its_started_days(string startedAt, long expected)
    {
        var period = January();
        Assert.Equal(expected, SubscriptionFee.AmountCents(10_000, period, At(startedAt), period.NextFrom, Utc));
    }

    [Theory]
    [InlineData("2026-01-15T10:00:00Z", 4_839)] // 14.4 days → 15 started days: 10000 × 15 / 31
    [InlineData("2026-01-15T00:00:00Z", 4_516)] // exactly 14 days
    [InlineData("2026-01-01T00:00:00Z", 0)]     // terminated the moment it started
    public void A_termination_bills_the_started_days_so_far(string terminatedAt, long expected)
    {
        var period = January();
        Assert.Equal(expected, SubscriptionFee.AmountCents(10_000, period, period.From, At(terminatedAt), Utc));
    }

    [Fact]
    public void Trial_days_are_free()
    {
        var period = January();
        // Trial until the 11th: 21 days of 31 are billed.
        Assert.Equal(6_774, SubscriptionFee.AmountCents(10_000, period, period.From, period.NextFrom, Utc, At("2026-01-11T00:00:00Z")));
        Assert.Equal(0, SubscriptionFee.AmountCents(10_000, period, period.From, period.NextFrom, Utc, At("2026-02-03T00:00:00Z")));
        // A trial that ended before the period changes nothing.
        Assert.Equal(10_000, SubscriptionFee.AmountCents(10_000, period, period.From, period.NextFrom, Utc, At("2025-12-20T00:00:00Z")));
    }

    [Fact]
    public void Days_are_counted_on_the_customers_wall_clock()
    {
        var paris = TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris");
        var march = BillingPeriod.Containing(At("2026-03-15T12:00:00Z"), PlanInterval.Monthly, BillingTime.Calendar, At("2025-01-01T00:00:00Z"), paris);
        Assert.Equal(At("2026-02-28T23:00:00Z"), march.From);
        // From 29 March local midnight (the DST night) to the end: 3 days of 31, although only 71 hours pass.
        var from = At("2026-03-28T23:00:00Z");
        Assert.Equal(968, SubscriptionFee.AmountCents(10_000, march, from, march.NextFrom, paris));
    }
}
