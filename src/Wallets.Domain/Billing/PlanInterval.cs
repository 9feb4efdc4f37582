namespace Wallets.Domain.Billing;

/// <summary>How often a plan bills (Lago's `plan.interval`).</summary>
public enum PlanInterval
{
    Weekly,
    Monthly,
    Quarterly,
    Semiannual,
    Yearly,
}

/// <summary>Whether periods follow the calendar or the subscription's own start date (Lago's `billing_time`).</summary>
public enum BillingTime
{
    Calendar,
    Anniversary,
}

/// <summary>The Lago spellings of <see cref="PlanInterval"/> and <see cref="BillingTime"/>.</summary>
public static class BillingNames
{
    public static bool TryParseInterval(string? text, out PlanInterval interval)
    {
        (var ok, interval) = text switch
        {
            "weekly" => (true, PlanInterval.Weekly),
            "monthly" => (true, PlanInterval.Monthly),
            "quarterly" => (true, PlanInterval.Quarterly),
            "semiannual" => (true, PlanInterval.Semiannual),
            "yearly" => (true, PlanInterval.Yearly),
            _ => (false, default),
        };
        return ok;
    }

    public static bool TryParseBillingTime(string? text, out BillingTime billingTime)
    {
        (var ok, billingTime) = text switch
        {
            "calendar" => (true, BillingTime.Calendar),
            "anniversary" => (true, BillingTime.Anniversary),
            _ => (false, default),
        };
        return ok;
    }

    public static string Name(this PlanInterval interval) => interval.ToString().ToLowerInvariant();

    public static string Name(this BillingTime billingTime) => billingTime.ToString().ToLowerInvariant();
}
