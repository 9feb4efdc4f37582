namespace Wallets.Domain.Billing;

/// <summary>
/// One billing period of a subscription: from <see cref="From"/> (inclusive) to <see cref="NextFrom"/> (exclusive).
/// <see cref="To"/> is the last second, which is how Lago shows a period's end (`…T23:59:59Z`).
/// Periods start at midnight in the customer's time zone: on the calendar boundary (Monday, the 1st of the month,
/// quarter, half-year or year) or, for anniversary billing, on the subscription date's weekday or day of month;
/// a day that a month lacks (the 31st, 29 February) falls back to that month's last day.
/// </summary>
public sealed record BillingPeriod(DateTimeOffset From, DateTimeOffset To, DateTimeOffset NextFrom)
{
    /// <summary>The full period (not clamped to the subscription's start or end) that contains <paramref name="instant"/>.</summary>
    public static BillingPeriod Containing(
        DateTimeOffset instant, PlanInterval interval, BillingTime billingTime, DateTimeOffset subscriptionAt, TimeZoneInfo zone)
    {
        var day = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, zone).DateTime);
        var anchor = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(subscriptionAt, zone).DateTime);
        var (start, next) = interval == PlanInterval.Weekly
            ? WeekContaining(day, billingTime == BillingTime.Calendar ? DayOfWeek.Monday : anchor.DayOfWeek)
            : MonthsContaining(day, MonthsIn(interval), billingTime == BillingTime.Calendar ? new DateOnly(2000, 1, 1) : anchor);
        var from = Midnight(start, zone);
        var nextFrom = Midnight(next, zone);
        return new BillingPeriod(from, nextFrom.AddSeconds(-1), nextFrom);
    }

    /// <summary>
    /// The period shown as a subscription's `current_billing_period_*`: the one containing now (or the termination),
    /// starting no earlier than the subscription did and ending no later than its termination.
    /// Null while the subscription has not started.
    /// </summary>
    public static BillingPeriod? Current(
        PlanInterval interval, BillingTime billingTime, DateTimeOffset subscriptionAt, DateTimeOffset? startedAt,
        DateTimeOffset? terminatedAt, DateTimeOffset now, TimeZoneInfo zone)
    {
        if (startedAt is not { } started) return null;
        var reference = terminatedAt ?? (now > started ? now : started);
        var period = Containing(reference, interval, billingTime, subscriptionAt, zone);
        var from = period.From < started ? started : period.From;
        return terminatedAt is { } ended && ended < period.To ? period with { From = from, To = ended } : period with { From = from };
    }

    private static int MonthsIn(PlanInterval interval) => interval switch
    {
        PlanInterval.Monthly => 1,
        PlanInterval.Quarterly => 3,
        PlanInterval.Semiannual => 6,
        PlanInterval.Yearly => 12,
        _ => throw new ArgumentOutOfRangeException(nameof(interval), interval, "not a month-based interval"),
    };

    private static (DateOnly Start, DateOnly Next) WeekContaining(DateOnly day, DayOfWeek firstDay)
    {
        var start = day.AddDays(-(((int)day.DayOfWeek - (int)firstDay + 7) % 7));
        return (start, start.AddDays(7));
    }

    // Periods start every `months` months on the anchor's day of month, counted from the anchor's month.
    private static (DateOnly Start, DateOnly Next) MonthsContaining(DateOnly day, int months, DateOnly anchor)
    {
        var anchorIndex = MonthIndex(anchor);
        var index = MonthIndex(day);
        var startIndex = index - Modulo(index - anchorIndex, months);
        var start = OnDay(startIndex, anchor.Day);
        if (day < start)
        {
            startIndex -= months;
            start = OnDay(startIndex, anchor.Day);
        }

        return (start, OnDay(startIndex + months, anchor.Day));
    }

    private static int MonthIndex(DateOnly date) => (date.Year * 12) + date.Month - 1;

    private static int Modulo(int value, int divisor) => ((value % divisor) + divisor) % divisor;

    private static DateOnly OnDay(int monthIndex, int day)
    {
        var year = monthIndex / 12;
        var month = (monthIndex % 12) + 1;
        return new DateOnly(year, month, Math.Min(day, DateTime.DaysInMonth(year, month)));
    }

    // Midnight that a DST change skips (some zones switch at 00:00) is taken as the first hour that exists.
    private static DateTimeOffset Midnight(DateOnly date, TimeZoneInfo zone)
    {
        var local = date.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
        while (zone.IsInvalidTime(local)) local = local.AddMinutes(30);
        return new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(local, zone), TimeSpan.Zero);
    }
}
