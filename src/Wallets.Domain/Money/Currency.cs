namespace Wallets.Domain.Money;

/// <summary>An ISO 4217 currency and its minor-unit exponent (EUR 2, JPY 0, KWD 3).</summary>
public sealed record Currency(string Code, int Exponent)
{
    /// <summary>How many minor units make one major unit: 10^Exponent (EUR 100, JPY 1, KWD 1000).</summary>
    public long SubunitToUnit => Pow10(Exponent);

    private static long Pow10(int exponent)
    {
        var result = 1L;
        for (var i = 0; i < exponent; i++)
        {
            result *= 10;
        }

        return result;
    }
}
