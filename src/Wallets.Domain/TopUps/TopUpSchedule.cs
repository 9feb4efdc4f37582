namespace Wallets.Domain.TopUps;

/// <summary>
/// When an interval rule tops its wallet up (behavior.md §5.5): on each anniversary of its anchor (the rule's
/// `started_at`, else the wallet's creation), as days in the customer's time zone. A day the month lacks falls on the
/// month's last day (an anchor on the 31st fires on 30 April and 28 February); a yearly anchor on 29 February fires on
/// 28 February in other years.
/// </summary>
public static class TopUpSchedule
{
    public static readonly IReadOnlySet<string> Intervals = new HashSet<string> { "weekly", "monthly", "quarterly", "semiannual", "yearly" };

    /// <summary>
    /// An interval rule is due now when, as days in <paramref name="zone"/>: the rule has started, today is an anniversary
    /// of its start (else of the wallet's creation), the wallet was not created today, and it had no interval top-up today.
    /// </summary>
    public static bool IsDue(string interval, DateTimeOffset? startedAt, DateTimeOffset walletCreatedAt, DateTimeOffset? lastTopUpAt,
        DateTimeOffset now, TimeZoneInfo zone)
    {
        var today = DayIn(now, zone);
        return !(startedAt > now) && DayIn(walletCreatedAt, zone) != today
            && IsAnniversary(interval, DayIn(startedAt ?? walletCreatedAt, zone), today)
            && (lastTopUpAt is not { } last || DayIn(last, zone) != today);
    }

    /// <summary>Whether <paramref name="today"/> is an anniversary of <paramref name="anchor"/> for the interval.</summary>
    public static bool IsAnniversary(string interval, DateOnly anchor, DateOnly today) => interval switch
    {
        "weekly" => anchor.DayOfWeek == today.DayOfWeek,
        "monthly" => SameDayOfMonth(anchor, today),
        "quarterly" => anchor.Month % 3 == today.Month % 3 && SameDayOfMonth(anchor, today),
        "semiannual" => anchor.Month % 6 == today.Month % 6 && SameDayOfMonth(anchor, today),
        "yearly" => anchor.Month == today.Month && SameDayOfMonth(anchor, today),
        _ => throw new ArgumentOutOfRangeException(nameof(interval), interval, "not a top-up interval"),
    };

    /// <summary>The anchor's day, or the month's last day when the month is shorter than the anchor's day.</summary>
    private static bool SameDayOfMonth(DateOnly anchor, DateOnly today)
    {
        var lastDay = DateTime.DaysInMonth(today.Year, today.Month);
        return today.Day == Math.Min(anchor.Day, lastDay);
    }

    /// <summary>The calendar day an instant falls on in a time zone.</summary>
    public static DateOnly DayIn(DateTimeOffset instant, TimeZoneInfo zone) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, zone).DateTime);
}
