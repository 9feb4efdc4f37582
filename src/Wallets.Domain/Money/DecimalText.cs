using System.Globalization;
using System.Text;

namespace Wallets.Domain.Money;

/// <summary>Decimal strings as Lago reads (Ruby <c>BigDecimal(str)</c>) and writes (<c>BigDecimal#to_s</c> in Rails) them.</summary>
public static class DecimalText
{
    /// <summary>Lago accepts credit amounts up to 10^25 − 1.</summary>
    public const int MaxIntegerDigits = 25;

    // Longer exponents are clamped: either far too large (rejected) or so small that the value truncates to zero.
    private const int MaxExponentMagnitude = 10_000;

    /// <summary>Formats like Rails' BigDecimal#to_s: plain digits, at least one decimal, trailing zeros trimmed ("10.0", "0.00001").</summary>
    public static string Format(decimal value)
    {
        if (value == 0m)
        {
            return "0.0";
        }

        var text = value.ToString(CultureInfo.InvariantCulture);
        if (!text.Contains('.'))
        {
            return text + ".0";
        }

        text = text.TrimEnd('0');
        return text.EndsWith('.') ? text + "0" : text;
    }

    /// <summary>
    /// Parses what Ruby's BigDecimal accepts as a finite number: surrounding whitespace, an optional sign, digits with an
    /// optional fraction (".5" and "5." included) and an optional exponent ("1e3"). Rejects empty text, words, NaN,
    /// Infinity and any absolute value above 10^25 − 1.
    /// </summary>
    public static bool TryParse(string? text, out decimal value)
    {
        value = 0m;
        if (text is null)
        {
            return false;
        }

        var s = text.AsSpan().Trim();
        var i = 0;
        var negative = false;
        if (i < s.Length && (s[i] == '+' || s[i] == '-'))
        {
            negative = s[i] == '-';
            i++;
        }

        var digits = new StringBuilder();
        var fractionDigits = 0;
        var sawDigit = false;
        for (; i < s.Length && char.IsAsciiDigit(s[i]); i++)
        {
            sawDigit = true;
            if (digits.Length > 0 || s[i] != '0')
            {
                digits.Append(s[i]);
            }
        }

        if (i < s.Length && s[i] == '.')
        {
            for (i++; i < s.Length && char.IsAsciiDigit(s[i]); i++)
            {
                sawDigit = true;
                fractionDigits++;
                if (digits.Length > 0 || s[i] != '0')
                {
                    digits.Append(s[i]);
                }
            }
        }

        if (!sawDigit)
        {
            return false;
        }

        var exponent = 0;
        if (i < s.Length && (s[i] == 'e' || s[i] == 'E'))
        {
            if (!TryReadExponent(s[(i + 1)..], out exponent))
            {
                return false;
            }

            i = s.Length;
        }

        if (i != s.Length)
        {
            return false;
        }

        return ScaledDigits.TryToDecimal(digits.ToString(), fractionDigits - exponent, negative, MaxIntegerDigits, out value);
    }

    private static bool TryReadExponent(ReadOnlySpan<char> s, out int exponent)
    {
        exponent = 0;
        var i = 0;
        var negative = false;
        if (i < s.Length && (s[i] == '+' || s[i] == '-'))
        {
            negative = s[i] == '-';
            i++;
        }

        if (i == s.Length)
        {
            return false;
        }

        for (; i < s.Length; i++)
        {
            if (!char.IsAsciiDigit(s[i]))
            {
                return false;
            }

            exponent = Math.Min(MaxExponentMagnitude, exponent * 10 + (s[i] - '0'));
        }

        exponent = negative ? -exponent : exponent;
        return true;
    }
}
