namespace Wallets.Domain.Money;

/// <summary>
/// The one credits↔money conversion of a wallet (Lago's <c>WalletCredit</c>): 1 credit = <see cref="RateAmount"/>
/// currency units. Currency amounts round half-up to the currency exponent; credits are kept at 5 decimals.
/// </summary>
public sealed record CreditRate
{
    /// <summary>Credits are stored as numeric(30,5).</summary>
    public const int CreditDecimals = 5;

    public CreditRate(decimal rateAmount, Currency currency)
    {
        ArgumentNullException.ThrowIfNull(currency);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rateAmount);
        RateAmount = rateAmount;
        Currency = currency;
    }

    public decimal RateAmount { get; }

    public Currency Currency { get; }

    /// <summary>The price of one credit in minor units (the credit invoice fee's unit_amount_cents); may be fractional.</summary>
    public decimal UnitAmountCents => RateAmount * Currency.SubunitToUnit;

    /// <summary>
    /// Converts a credit input. The input is floored to 5 decimals first (as Lago does with every credit parameter).
    /// With <paramref name="roundTrip"/> (paid and granted credits) the credits become amount / rate, so only whole
    /// minor units are ever granted; without it (pool voids) the floored input is kept.
    /// Throws <see cref="OverflowException"/> when the amount does not fit in 64-bit minor units; see <see cref="TryFromCredits"/>.
    /// </summary>
    public WalletCredit FromCredits(decimal credits, bool roundTrip)
    {
        var floored = FloorCredits(credits);
        var amount = decimal.Round(floored * RateAmount, Currency.Exponent, MidpointRounding.AwayFromZero);
        var cents = decimal.ToInt64(amount * Currency.SubunitToUnit);
        var converted = roundTrip ? RoundCredits(amount / RateAmount) : floored;
        return new WalletCredit(converted, amount, cents);
    }

    /// <summary>As <see cref="FromCredits"/>, but reports an amount too large for 64-bit minor units as false.</summary>
    public bool TryFromCredits(decimal credits, bool roundTrip, out WalletCredit credit)
    {
        try
        {
            credit = FromCredits(credits, roundTrip);
            return true;
        }
        catch (OverflowException)
        {
            credit = new WalletCredit(0m, 0m, 0L);
            return false;
        }
    }

    /// <summary>
    /// Converts minor units to credits (consumption rows, remaining_credit_amount, invoiced outbound, balances):
    /// credits = cents / subunit / rate, rounded half-up to 5 decimals.
    /// </summary>
    public WalletCredit FromCents(long cents)
    {
        var amount = (decimal)cents / Currency.SubunitToUnit;
        return new WalletCredit(RoundCredits(amount / RateAmount), amount, cents);
    }

    /// <summary>As <see cref="FromCents"/>, for an amount that may be below zero (an ongoing balance beyond the wallet's): the magnitude is converted, the sign kept.</summary>
    public decimal SignedCredits(long cents) => cents < 0 ? -FromCents(-cents).Credits : FromCents(cents).Credits;

    /// <summary>True when a positive credit input is too small to be worth one minor unit (Lago's amount_rounds_to_zero).</summary>
    public bool RoundsToZero(decimal credits)
    {
        var floored = FloorCredits(credits);
        return floored > 0m && FromCredits(floored, roundTrip: false).AmountCents == 0;
    }

    /// <summary>Floors to 5 decimals like Ruby's BigDecimal#floor(5); directed rounding cannot overflow.</summary>
    public static decimal FloorCredits(decimal credits) =>
        decimal.Round(credits, CreditDecimals, MidpointRounding.ToNegativeInfinity);

    // Half-up, as ActiveRecord rounds a value to the scale of a numeric(30,5) column when Lago persists it.
    private static decimal RoundCredits(decimal credits) =>
        decimal.Round(credits, CreditDecimals, MidpointRounding.AwayFromZero);
}
