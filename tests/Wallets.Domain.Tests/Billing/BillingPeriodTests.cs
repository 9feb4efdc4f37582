using System.Globalization;
using Wallets.Domain.Billing;

namespace Wallets.Domain.Tests.Billing;

public sealed class BillingPeriodTests
{
    private static readonly TimeZoneInfo Utc = TimeZoneInfo.Utc;

    private static DateTimeOffset At(string iso) =>
        DateTimeOffset.Parse(iso, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    private static (string From, string To) Period(PlanInterval interval, BillingTime time, string subscriptionAt, string instant, TimeZoneInfo? zone = null)
    {
        var period = BillingPeriod.Containing(At(instant), interval, time, At(subscriptionAt), zone ?? Utc);
        Assert.Equal(period.NextFrom.AddSeconds(-1), period.To);
        return (Iso(period.From), Iso(period.To));
    }

    private static string Iso(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    [Theory]
    [InlineData(PlanInterval.Weekly, "2026-01-14T10:00:00Z", "2026-01-12T00:00:00Z", "2026-01-18T23:59:59Z")] // Wednesday → Monday..Sunday
    [InlineData(PlanInterval.Weekly, "2026-01-12T00:00:00Z", "2026-01-12T00:00:00Z", "2026-01-18T23:59:59Z")] // a Monday starts its own week
    [InlineData(PlanInterval.Monthly, "2026-02-14T10:00:00Z", "2026-02-01T00:00:00Z", "2026-02-28T23:59:59Z")]
    [InlineData(PlanInterval.Monthly, "2028-02-29T23:59:59Z", "2028-02-01T00:00:00Z", "2028-02-29T23:59:59Z")]
    [InlineData(PlanInterval.Quarterly, "2026-05-20T00:00:00Z", "2026-04-01T00:00:00Z", "2026-06-30T23:59:59Z")]
    [InlineData(PlanInterval.Quarterly, "2026-12-31T23:00:00Z", "2026-10-01T00:00:00Z", "2026-12-31T23:59:59Z")]
    [InlineData(PlanInterval.Semiannual, "2026-03-01T00:00:00Z", "2026-01-01T00:00:00Z", "2026-06-30T23:59:59Z")]
    [InlineData(PlanInterval.Semiannual, "2026-07-01T00:00:00Z", "2026-07-01T00:00:00Z", "2026-12-31T23:59:59Z")]
    [InlineData(PlanInterval.Yearly, "2026-08-08T08:08:08Z", "2026-01-01T00:00:00Z", "2026-12-31T23:59:59Z")]
    public void Calendar_periods_follow_weeks_months_quarters_halves_and_years(PlanInterval interval, string instant, string from, string to) =>
        Assert.Equal((from, to), Period(interval, BillingTime.Calendar, "2025-06-17T15:30:00Z", instant));

    [Fact]
    public void Weekly_anniversary_periods_start_on_the_subscription_weekday()
    {
        // 2026-01-08 is a Thursday.
        Assert.Equal(("2026-01-15T00:00:00Z", "2026-01-21T23:59:59Z"), Period(PlanInterval.Weekly, BillingTime.Anniversary, "2026-01-08T14:00:00Z", "2026-01-20T09:00:00Z"));
        Assert.Equal(("2026-01-22T00:00:00Z", "2026-01-28T23:59:59Z"), Period(PlanInterval.Weekly, BillingTime.Anniversary, "2026-01-08T14:00:00Z", "2026-01-22T00:00:00Z"));
    }

    [Theory]
    [InlineData("2026-03-20T00:00:00Z", "2026-03-15T00:00:00Z", "2026-04-14T23:59:59Z")]
    [InlineData("2026-03-14T23:59:59Z", "2026-02-15T00:00:00Z", "2026-03-14T23:59:59Z")]
    [InlineData("2027-01-03T00:00:00Z", "2026-12-15T00:00:00Z", "2027-01-14T23:59:59Z")]
    public void Monthly_anniversary_periods_start_on_the_subscription_day_of_month(string instant, string from, string to) =>
        Assert.Equal((from, to), Period(PlanInterval.Monthly, BillingTime.Anniversary, "2025-11-15T18:00:00Z", instant));

    [Theory]
    [InlineData("2026-02-10T00:00:00Z", "2026-01-31T00:00:00Z", "2026-02-27T23:59:59Z")]
    [InlineData("2026-02-28T00:00:00Z", "2026-02-28T00:00:00Z", "2026-03-30T23:59:59Z")]
    [InlineData("2026-04-30T12:00:00Z", "2026-04-30T00:00:00Z", "2026-05-30T23:59:59Z")]
    [InlineData("2028-02-29T00:00:00Z", "2028-02-29T00:00:00Z", "2028-03-30T23:59:59Z")]
    public void An_anniversary_on_the_31st_falls_back_to_the_last_day_of_shorter_months(string instant, string from, string to) =>
        Assert.Equal((from, to), Period(PlanInterval.Monthly, BillingTime.Anniversary, "2025-12-31T09:00:00Z", instant));

    [Fact]
    public void Quarterly_and_semiannual_anniversaries_count_months_from_the_subscription_month()
    {
        Assert.Equal(("2026-05-10T00:00:00Z", "2026-08-09T23:59:59Z"), Period(PlanInterval.Quarterly, BillingTime.Anniversary, "2025-11-10T00:00:00Z", "2026-06-01T00:00:00Z"));
        Assert.Equal(("2025-11-10T00:00:00Z", "2026-05-09T23:59:59Z"), Period(PlanInterval.Semiannual, BillingTime.Anniversary, "2025-11-10T00:00:00Z", "2026-05-09T12:00:00Z"));
        Assert.Equal(("2026-05-10T00:00:00Z", "2026-11-09T23:59:59Z"), Period(PlanInterval.Semiannual, BillingTime.Anniversary, "2025-11-10T00:00:00Z", "2026-05-10T00:00:00Z"));
    }

    [Fact]
    public void A_yearly_anniversary_on_29_february_uses_28_february_in_common_years()
    {
        Assert.Equal(("2027-02-28T00:00:00Z", "2028-02-28T23:59:59Z"), Period(PlanInterval.Yearly, BillingTime.Anniversary, "2024-02-29T00:00:00Z", "2027-06-01T00:00:00Z"));
        Assert.Equal(("2028-02-29T00:00:00Z", "2029-02-27T23:59:59Z"), Period(PlanInterval.Yearly, BillingTime.Anniversary, "2024-02-29T00:00:00Z", "2028-02-29T00:00:00Z"));
    }

    [Fact]
    public void Periods_start_at_midnight_in_the_customers_time_zone()
    {
        var paris = TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris");
        // 2025-12-31T23:30Z is already January in Paris.
        Assert.Equal(("2025-12-31T23:00:00Z", "2026-01-31T22:59:59Z"), Period(PlanInterval.Monthly, BillingTime.Calendar, "2025-06-01T00:00:00Z", "2025-12-31T23:30:00Z", paris));
        // The March period spans the switch to summer time: it ends at 22:00Z, not 23:00Z.
        Assert.Equal(("2026-02-28T23:00:00Z", "2026-03-31T21:59:59Z"), Period(PlanInterval.Monthly, BillingTime.Calendar, "2025-06-01T00:00:00Z", "2026-03-15T00:00:00Z", paris));
    }

    [Fact]
    public void The_current_period_of_a_new_subscription_starts_when_it_started()
    {
        var started = At("2026-01-15T10:00:00Z");
        var current = BillingPeriod.Current(PlanInterval.Monthly, BillingTime.Calendar, started, started, null, At("2026-01-20T00:00:00Z"), Utc)!;
        Assert.Equal(("2026-01-15T10:00:00Z", "2026-01-31T23:59:59Z"), (Iso(current.From), Iso(current.To)));

        var later = BillingPeriod.Current(PlanInterval.Monthly, BillingTime.Calendar, started, started, null, At("2026-03-02T00:00:00Z"), Utc)!;
        Assert.Equal(("2026-03-01T00:00:00Z", "2026-03-31T23:59:59Z"), (Iso(later.From), Iso(later.To)));
    }

    [Fact]
    public void A_terminated_subscription_shows_its_last_period_ending_at_termination()
    {
        var started = At("2026-01-15T10:00:00Z");
        var current = BillingPeriod.Current(PlanInterval.Monthly, BillingTime.Anniversary, started, started, At("2026-03-20T08:00:00Z"), At("2026-06-01T00:00:00Z"), Utc)!;
        Assert.Equal(("2026-03-15T00:00:00Z", "2026-03-20T08:00:00Z"), (Iso(current.From), Iso(current.To)));
    }

    [Fact]
    public void A_subscription_that_has_not_started_has_no_current_period() =>
        Assert.Null(BillingPeriod.Current(PlanInterval.Monthly, BillingTime.Calendar, At("2026-05-01T00:00:00Z"), null, null, At("2026-01-01T00:00:00Z"), Utc));

    [Fact]
    public void Consecutive_periods_tile_time_without_gaps_or_overlaps()
    {
        foreach (var interval in Enum.GetValues<PlanInterval>())
        foreach (var time in Enum.GetValues<BillingTime>())
        {
            var period = BillingPeriod.Containing(At("2024-01-31T12:00:00Z"), interval, time, At("2023-08-31T09:00:00Z"), Utc);
            for (var i = 0; i < 60; i++)
            {
                var next = BillingPeriod.Containing(period.NextFrom, interval, time, At("2023-08-31T09:00:00Z"), Utc);
                Assert.Equal(period.NextFrom, next.From);
                Assert.True(next.NextFrom > next.From, $"{interval}/{time} period {i} is empty");
                period = next;
            }
        }
    }
}
