namespace Wallets.Domain.TopUps;

/// <summary>A recurring rule as its top-up needs it; credits, not money.</summary>
/// <param name="Target">The target ongoing balance of a `target` rule; null for a `fixed` rule.</param>
public sealed record TopUpRule(decimal PaidCredits, decimal GrantedCredits, decimal ThresholdCredits, decimal? Target, bool GrantsTargetTopUp);

/// <summary>The wallet as a top-up sees it: its ongoing balance, its purchases awaiting payment, its paid top-up limits.</summary>
public sealed record TopUpWallet(decimal OngoingCredits, decimal PendingCredits, decimal? MinPaidCredits, decimal? MaxPaidCredits);

/// <summary>What a rule tops up now, in credits (0 for none).</summary>
public readonly record struct TopUpAmount(decimal Paid, decimal Granted)
{
    public bool IsNone => Paid <= 0 && Granted <= 0;
}

/// <summary>
/// How much a recurring rule tops up (behavior.md §5.5). A fixed rule tops up its credits; below its threshold, when the
/// gap (threshold − ongoing − granted − pending) reaches its paid credits, it buys as many multiples of them as close
/// the gap and one more, no more than the wallet's maximum. A target rule tops up what brings the ongoing balance to the
/// target: paid (at least the wallet's minimum), or granted when it grants target top-ups.
/// </summary>
public static class RuleTopUps
{
    /// <summary>Whether a threshold rule fires: the ongoing balance is at or below the threshold, and so is it with the purchases awaiting payment.</summary>
    public static bool IsBelowThreshold(TopUpRule rule, TopUpWallet wallet) =>
        wallet.OngoingCredits <= rule.ThresholdCredits && wallet.PendingCredits + wallet.OngoingCredits <= rule.ThresholdCredits;

    public static TopUpAmount OnThreshold(TopUpRule rule, TopUpWallet wallet, bool ignoreLimits)
    {
        if (rule.Target is not null) return ToTarget(rule, wallet);
        var paid = rule.PaidCredits;
        var gap = rule.ThresholdCredits - wallet.OngoingCredits - rule.GrantedCredits - wallet.PendingCredits;
        if (paid > 0 && gap >= paid)
        {
            try
            {
                var multiples = Math.Floor(gap / paid) + 1;
                if (!ignoreLimits && wallet.MaxPaidCredits is { } max) multiples = Math.Max(1, Math.Min(multiples, Math.Floor(max / paid)));
                paid *= multiples;
            }
            catch (OverflowException)
            {
                // Beyond any amount a wallet can hold: the caller refuses it as too large.
                paid = decimal.MaxValue;
            }
        }
        return new TopUpAmount(paid, rule.GrantedCredits);
    }

    public static TopUpAmount OnInterval(TopUpRule rule, TopUpWallet wallet) =>
        rule.Target is null ? new TopUpAmount(rule.PaidCredits, rule.GrantedCredits) : ToTarget(rule, wallet);

    private static TopUpAmount ToTarget(TopUpRule rule, TopUpWallet wallet)
    {
        var gap = Math.Max(rule.Target!.Value - wallet.OngoingCredits, 0);
        if (gap == 0) return new TopUpAmount(0, 0);
        if (rule.GrantsTargetTopUp) return new TopUpAmount(0, gap);
        return new TopUpAmount(wallet.MinPaidCredits is { } min ? Math.Max(gap, min) : gap, 0);
    }
}
