using Wallets.Api.Data;
using Wallets.Api.Http;
using Wallets.Domain.Money;

namespace Wallets.Api.Ledger;

/// <summary>Credits in a request → the money they stand for, with Lago's errors for amounts that cannot be.</summary>
public static class TopUpAmounts
{
    /// <summary>Null for absent or zero credits (Lago skips those silently).</summary>
    public static Result<WalletCredit?> Parse(CreditRate rate, string? text, string field, bool roundTrip)
    {
        if (text is null) return (WalletCredit?)null;
        if (!DecimalText.TryParse(text, out var credits) || credits < 0) return LagoError.Validation(field, $"invalid_{field}");
        if (CreditRate.FloorCredits(credits) == 0) return (WalletCredit?)null;
        // Too large for 64-bit minor units; checked first, as the rounding check would overflow on it too.
        if (!rate.TryFromCredits(credits, roundTrip, out var credit)) return LagoError.Validation(field, "invalid_amount");
        if (rate.RoundsToZero(credits)) return LagoError.Validation(field, "amount_rounds_to_zero");
        return credit;
    }

    /// <summary>
    /// Refuses a top-up that would take the balance out of 64-bit minor units, counting purchases still to be paid,
    /// so neither this grant nor any later settlement can overflow (the database would refuse it with a 500).
    /// </summary>
    public static LagoError? CheckRoom(decimal heldAndPendingCents, WalletCredit? paid, WalletCredit? granted)
    {
        var room = long.MaxValue - heldAndPendingCents;
        if (paid is not null && (room -= paid.AmountCents) < 0) return LagoError.Validation("paid_credits", "invalid_amount");
        if (granted is not null && (room -= granted.AmountCents) < 0) return LagoError.Validation("granted_credits", "invalid_amount");
        return null;
    }

    /// <summary>
    /// When the credits a request creates expire: null when not sent; ISO 8601 (else `invalid_date`), in the future (else
    /// `date_in_past`: credits that could never be spent).
    /// </summary>
    public static Result<DateTimeOffset?> ParseExpiration(string? text, string field, DateTimeOffset now)
    {
        if (text is null) return (DateTimeOffset?)null;
        if (!IsoTime.TryParse(text, out var at)) return LagoError.Validation(field, "invalid_date");
        if (at <= now) return LagoError.Validation(field, "date_in_past");
        return at;
    }

    /// <summary>The wallet's paid top-up bounds, in cents.</summary>
    public static LagoError? CheckLimits(Wallet wallet, WalletCredit paid) =>
        paid.AmountCents < wallet.PaidTopUpMinAmountCents ? LagoError.Validation("paid_credits", "amount_below_minimum")
        : paid.AmountCents > wallet.PaidTopUpMaxAmountCents ? LagoError.Validation("paid_credits", "amount_above_maximum")
        : null;
}
