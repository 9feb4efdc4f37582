using Wallets.Domain.TopUps;

namespace Wallets.Domain.Tests.TopUps;

public class TopUpScheduleTests
{
    private static DateOnly D(string text) => DateOnly.Parse(text, System.Globalization.CultureInfo.InvariantCulture);

    [Theory]
    [InlineData("weekly", "2026-11-02", "2026-11-09", true)]    // Monday → Monday
    [InlineData("weekly", "2026-11-02", "2026-11-10", false)]
    [InlineData("monthly", "2026-01-15", "2026-11-15", true)]
    [InlineData("monthly", "2026-01-15", "2026-11-16", false)]
    [InlineData("monthly", "2026-01-31", "2026-04-30", true)]   // April has no 31st: its last day
    [InlineData("monthly", "2026-01-31", "2026-04-29", false)]
    [InlineData("monthly", "2026-01-30", "2026-02-28", true)]
    [InlineData("monthly", "2026-01-31", "2026-05-30", false)]  // May has a 31st
    [InlineData("monthly", "2026-01-31", "2026-05-31", true)]
    [InlineData("quarterly", "2026-01-10", "2026-04-10", true)]
    [InlineData("quarterly", "2026-01-10", "2026-10-10", true)]
    [InlineData("quarterly", "2026-01-10", "2026-02-10", false)]
    [InlineData("quarterly", "2026-03-31", "2026-06-30", true)]
    [InlineData("quarterly", "2026-03-31", "2026-12-31", true)]
    [InlineData("semiannual", "2026-02-05", "2026-08-05", true)]
    [InlineData("semiannual", "2026-02-05", "2026-05-05", false)]
    [InlineData("yearly", "2024-02-29", "2026-02-28", true)]    // no 29 February in 2026
    [InlineData("yearly", "2024-02-29", "2028-02-28", false)]   // 2028 has one
    [InlineData("yearly", "2024-02-29", "2028-02-29", true)]
    [InlineData("yearly", "2025-06-01", "2026-06-01", true)]
    [InlineData("yearly", "2025-06-01", "2026-07-01", false)]
    public void Anniversaries_follow_the_anchor_with_short_months_on_their_last_day(string interval, string anchor, string today, bool expected) =>
        Assert.Equal(expected, TopUpSchedule.IsAnniversary(interval, D(anchor), D(today)));

    [Fact]
    public void The_day_is_the_customers()
    {
        var tokyo = TimeZoneInfo.FindSystemTimeZoneById("Asia/Tokyo");
        var instant = DateTimeOffset.Parse("2026-11-22T20:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(D("2026-11-23"), TopUpSchedule.DayIn(instant, tokyo));
        Assert.Equal(D("2026-11-22"), TopUpSchedule.DayIn(instant, TimeZoneInfo.Utc));
    }

    [Fact]
    public void An_unknown_interval_is_refused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => TopUpSchedule.IsAnniversary("daily", D("2026-01-01"), D("2026-01-01")));
}
