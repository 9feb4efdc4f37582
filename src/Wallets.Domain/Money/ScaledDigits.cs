using System.Globalization;

namespace Wallets.Domain.Money;

/// <summary>Turns a parsed digit string and scale into a decimal, refusing values past Lago's limit.</summary>
internal static class ScaledDigits
{
    // decimal holds 28 significant digits at most; digits beyond are cut, never rounded up, so a later floor(5) matches Ruby.
    private const int MaxSignificantDigits = 28;

    /// <summary>
    /// The value is <paramref name="digits"/> (significant digits, no leading zeros) × 10^−<paramref name="scale"/>.
    /// False when its absolute value exceeds 10^<paramref name="maxIntegerDigits"/> − 1.
    /// </summary>
    public static bool TryToDecimal(string digits, int scale, bool negative, int maxIntegerDigits, out decimal value)
    {
        value = 0m;
        if (digits.Length == 0)
        {
            return true;
        }

        var integerDigits = digits.Length - scale;
        if (integerDigits > maxIntegerDigits)
        {
            return false;
        }

        if (scale < 0)
        {
            digits += new string('0', -scale);
            scale = 0;
        }

        // Exactly 10^n − 1 is allowed; anything between it and 10^n (all nines plus a fraction) is not.
        if (integerDigits == maxIntegerDigits
            && digits.AsSpan(0, maxIntegerDigits).IndexOfAnyExcept('9') < 0
            && digits.AsSpan(maxIntegerDigits).IndexOfAnyExcept('0') >= 0)
        {
            return false;
        }

        var drop = Math.Max(digits.Length - MaxSignificantDigits, scale - MaxSignificantDigits);
        if (drop >= digits.Length)
        {
            return true;
        }

        if (drop > 0)
        {
            digits = digits[..^drop];
            scale -= drop;
        }

        var plain = scale >= digits.Length
            ? "0." + new string('0', scale - digits.Length) + digits
            : scale == 0 ? digits : digits[..^scale] + "." + digits[^scale..];
        value = decimal.Parse(plain, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
        value = negative ? -value : value;
        return true;
    }
}
