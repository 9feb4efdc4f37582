using System.Diagnostics.CodeAnalysis;

namespace Wallets.Domain.Money;

/// <summary>
/// The currencies a wallet may hold: every active ISO 4217 code with a minor unit, plus the withdrawn codes
/// Lago still accepts (HRK, MRO, SLL, STD) so that no request Lago takes is refused here.
/// </summary>
public static class Currencies
{
    // ISO 4217 minor units; metals, bond units, XDR, XSU, XUA, XTS and XXX have none and cannot be wallet currencies.
    private static readonly string[] NoMinorUnit =
    [
        "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI", "VND", "VUV", "XAF",
        "XOF", "XPF",
    ];

    private static readonly string[] ThreeDecimals = ["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"];

    private static readonly string[] FourDecimals = ["CLF", "UYW"];

    private static readonly string[] TwoDecimals =
    [
        "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT", "BGN", "BMD",
        "BND", "BOB", "BOV", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD", "CDF", "CHE", "CHF", "CHW", "CNY",
        "COP", "COU", "CRC", "CUP", "CVE", "CZK", "DKK", "DOP", "DZD", "EGP", "ERN", "ETB", "EUR", "FJD", "FKP",
        "GBP", "GEL", "GHS", "GIP", "GMD", "GTQ", "GYD", "HKD", "HNL", "HTG", "HUF", "IDR", "ILS", "INR", "IRR",
        "JMD", "KES", "KGS", "KHR", "KPW", "KYD", "KZT", "LAK", "LBP", "LKR", "LRD", "LSL", "MAD", "MDL", "MGA",
        "MKD", "MMK", "MNT", "MOP", "MRU", "MUR", "MVR", "MWK", "MXN", "MXV", "MYR", "MZN", "NAD", "NGN", "NIO",
        "NOK", "NPR", "NZD", "PAB", "PEN", "PGK", "PHP", "PKR", "PLN", "QAR", "RON", "RSD", "RUB", "SAR", "SBD",
        "SCR", "SDG", "SEK", "SGD", "SHP", "SLE", "SOS", "SRD", "SSP", "STN", "SVC", "SYP", "SZL", "THB", "TJS",
        "TMT", "TOP", "TRY", "TTD", "TWD", "TZS", "UAH", "USD", "USN", "UYU", "UZS", "VED", "VES", "WST", "XCD",
        "XCG", "YER", "ZAR", "ZMW", "ZWG",
    ];

    // Withdrawn from ISO 4217 but still in Lago's accepted list; all had two decimals.
    private static readonly string[] LagoLegacy = ["HRK", "MRO", "SLL", "STD"];

    private static readonly Dictionary<string, Currency> ByCode = Build();

    /// <summary>Every accepted currency, ordered by code.</summary>
    public static IReadOnlyList<Currency> All { get; } = ByCode.Values.OrderBy(c => c.Code, StringComparer.Ordinal).ToArray();

    /// <summary>Looks a code up exactly as Lago does: upper case only, no trimming ("eur" is not EUR).</summary>
    public static bool TryFind(string? code, [NotNullWhen(true)] out Currency? currency)
    {
        currency = null;
        return code is not null && ByCode.TryGetValue(code, out currency);
    }

    /// <summary>For codes already validated (for example read back from the database); throws on an unknown code.</summary>
    public static Currency Get(string code) =>
        TryFind(code, out var currency) ? currency : throw new ArgumentException($"Unknown currency '{code}'.", nameof(code));

    private static Dictionary<string, Currency> Build()
    {
        var byCode = new Dictionary<string, Currency>(StringComparer.Ordinal);
        Add(byCode, NoMinorUnit, 0);
        Add(byCode, TwoDecimals, 2);
        Add(byCode, LagoLegacy, 2);
        Add(byCode, ThreeDecimals, 3);
        Add(byCode, FourDecimals, 4);
        return byCode;
    }

    private static void Add(Dictionary<string, Currency> byCode, string[] codes, int exponent)
    {
        foreach (var code in codes)
        {
            byCode.Add(code, new Currency(code, exponent));
        }
    }
}
