namespace Wallets.Domain.Billing;

/// <summary>
/// A plan's base amount for part of one billing period, as Lago's Fees::SubscriptionService prorates it: by days.
/// A day's price is the plan amount over the days of the full period (28 to 31 for a month); the days billed are the
/// started days of the window, counted on the customer's wall clock; the result rounds half-up once.
/// A trial moves the window's start to the trial's end, so trial days are free.
/// </summary>
public static class SubscriptionFee
{
    /// <summary>
    /// The amount for <c>[from, endExclusive)</c> inside <paramref name="period"/>: the whole plan amount when the window
    /// covers the period, <c>amount × started days / period days</c> otherwise, 0 when the window (after the trial) is empty.
    /// </summary>
    public static long AmountCents(
        long planAmountCents, BillingPeriod period, DateTimeOffset from, DateTimeOffset endExclusive, TimeZoneInfo zone,
        DateTimeOffset? trialEndsAt = null)
    {
        ArgumentNullException.ThrowIfNull(period);
        ArgumentNullException.ThrowIfNull(zone);
        if (from < period.From) from = period.From;
        if (endExclusive > period.NextFrom) endExclusive = period.NextFrom;
        if (trialEndsAt is { } trialEnd && trialEnd > from) from = trialEnd;
        if (endExclusive <= from) return 0;
        if (from == period.From && endExclusive == period.NextFrom) return planAmountCents;

        var periodDays = (int)Math.Round((Local(period.NextFrom, zone) - Local(period.From, zone)).TotalDays);
        var days = Math.Min((int)Math.Ceiling((Local(endExclusive, zone) - Local(from, zone)).TotalDays), periodDays);
        return decimal.ToInt64(decimal.Round((decimal)planAmountCents * days / periodDays, 0, MidpointRounding.AwayFromZero));
    }

    // Wall-clock time in the customer's zone, so a day that DST shortens still counts as one day.
    private static DateTime Local(DateTimeOffset instant, TimeZoneInfo zone) => TimeZoneInfo.ConvertTime(instant, zone).DateTime;
}
