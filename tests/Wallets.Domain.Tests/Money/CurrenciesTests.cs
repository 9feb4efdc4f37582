using Wallets.Domain.Money;

namespace Wallets.Domain.Tests.Money;

public sealed class CurrenciesTests
{
    // Lago's accepted list (app/models/concerns/currencies.rb); every one of them must work here too.
    private static readonly string[] LagoAccepted =
    [
        "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT", "BGN", "BIF",
        "BMD", "BND", "BOB", "BRL", "BSD", "BWP", "BYN", "BZD", "CAD", "CDF", "CHF", "CLF", "CLP", "CNY", "COP",
        "CRC", "CVE", "CZK", "DJF", "DKK", "DOP", "DZD", "EGP", "ETB", "EUR", "FJD", "FKP", "GBP", "GEL", "GIP",
        "GMD", "GNF", "GTQ", "GYD", "HKD", "HNL", "HRK", "HTG", "HUF", "IDR", "ILS", "INR", "ISK", "JMD", "JOD",
        "JPY", "KES", "KGS", "KHR", "KMF", "KRW", "KWD", "KYD", "KZT", "LAK", "LBP", "LKR", "LRD", "LSL", "MAD",
        "MDL", "MGA", "MKD", "MMK", "MNT", "MOP", "MRO", "MUR", "MVR", "MWK", "MXN", "MYR", "MZN", "NAD", "NGN",
        "NIO", "NOK", "NPR", "NZD", "PAB", "PEN", "PGK", "PHP", "PKR", "PLN", "PYG", "QAR", "RON", "RSD", "RUB",
        "RWF", "SAR", "SBD", "SCR", "SEK", "SGD", "SHP", "SLL", "SOS", "SRD", "STD", "SZL", "THB", "TJS", "TOP",
        "TRY", "TTD", "TWD", "TZS", "UAH", "UGX", "USD", "UYU", "UZS", "VND", "VUV", "WST", "XAF", "XCD", "XOF",
        "XPF", "YER", "ZAR", "ZMW",
    ];

    [Theory]
    [InlineData("EUR", 2)]
    [InlineData("USD", 2)]
    [InlineData("GBP", 2)]
    [InlineData("HUF", 2)]
    [InlineData("JPY", 0)]
    [InlineData("KRW", 0)]
    [InlineData("CLP", 0)]
    [InlineData("VND", 0)]
    [InlineData("ISK", 0)]
    [InlineData("UGX", 0)]
    [InlineData("XAF", 0)]
    [InlineData("XOF", 0)]
    [InlineData("XPF", 0)]
    [InlineData("PYG", 0)]
    [InlineData("RWF", 0)]
    [InlineData("KMF", 0)]
    [InlineData("GNF", 0)]
    [InlineData("DJF", 0)]
    [InlineData("VUV", 0)]
    [InlineData("BIF", 0)]
    [InlineData("BHD", 3)]
    [InlineData("IQD", 3)]
    [InlineData("JOD", 3)]
    [InlineData("KWD", 3)]
    [InlineData("LYD", 3)]
    [InlineData("OMR", 3)]
    [InlineData("TND", 3)]
    [InlineData("CLF", 4)]
    public void Currencies_carry_their_iso_4217_exponent(string code, int exponent)
    {
        Assert.True(Currencies.TryFind(code, out var currency));
        Assert.Equal(exponent, currency.Exponent);
    }

    [Theory]
    [InlineData("JPY", 1)]
    [InlineData("EUR", 100)]
    [InlineData("KWD", 1000)]
    [InlineData("CLF", 10000)]
    public void Subunit_to_unit_is_ten_to_the_exponent(string code, long subunit)
    {
        Assert.Equal(subunit, Currencies.Get(code).SubunitToUnit);
    }

    [Fact]
    public void Every_currency_lago_accepts_is_accepted()
    {
        var missing = LagoAccepted.Where(code => !Currencies.TryFind(code, out _)).ToArray();

        Assert.Empty(missing);
    }

    [Theory]
    [InlineData("eur")]
    [InlineData("Eur")]
    [InlineData(" EUR")]
    [InlineData("EUR ")]
    [InlineData("")]
    [InlineData("XXX")]
    [InlineData("XAU")]
    [InlineData("ABC")]
    [InlineData(null)]
    public void Lookup_is_exact_and_refuses_unknown_or_lower_case_codes(string? code)
    {
        Assert.False(Currencies.TryFind(code, out var currency));
        Assert.Null(currency);
    }

    [Fact]
    public void All_lists_unique_upper_case_codes_in_order()
    {
        var codes = Currencies.All.Select(c => c.Code).ToArray();

        Assert.All(codes, code => Assert.Matches("^[A-Z]{3}$", code));
        Assert.Equal(codes.Length, codes.Distinct().Count());
        Assert.Equal(codes.Order(StringComparer.Ordinal), codes);
        Assert.True(codes.Length >= 150);
    }

    [Fact]
    public void Get_refuses_an_unknown_code()
    {
        Assert.Throws<ArgumentException>(() => Currencies.Get("ZZZ"));
    }
}
