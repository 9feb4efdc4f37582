using Wallets.Domain.Money;

namespace Wallets.Domain.Tests.Money;

public sealed class DecimalTextTests
{
    public static TheoryData<decimal, string> Formats => new()
    {
        { 10m, "10.0" },
        { 10.00000m, "10.0" },
        { 1.5m, "1.5" },
        { 1.50000m, "1.5" },
        { 0.00001m, "0.00001" },
        { 100m, "100.0" },
        { 0m, "0.0" },
        { 0.00000m, "0.0" },
        { -1.50m, "-1.5" },
        { 17.97m, "17.97" },
        { 1030m, "1030.0" },
        { 9_999_999_999_999_999_999_999_999m, "9999999999999999999999999.0" },
    };

    [Theory]
    [MemberData(nameof(Formats))]
    public void Decimals_are_written_like_rails_big_decimal(decimal value, string text)
    {
        Assert.Equal(text, DecimalText.Format(value));
    }

    public static TheoryData<string, decimal> Accepted => new()
    {
        { "10", 10m },
        { "10.5", 10.5m },
        { "-1", -1m },
        { "+2", 2m },
        { "0", 0m },
        { "-0", 0m },
        { "00012.50", 12.5m },
        { "1e3", 1000m },
        { "1E3", 1000m },
        { "1.5e-2", 0.015m },
        { "2e+2", 200m },
        { ".5", 0.5m },
        { "5.", 5m },
        { " 7 ", 7m },
        { "0.00001", 0.00001m },
        { "17.9699999999999988631316", 17.9699999999999988631316m },
        { "9999999999999999999999999", 9_999_999_999_999_999_999_999_999m },
        { "9999999999999999999999999.0000", 9_999_999_999_999_999_999_999_999m },
        { "0e999999999999", 0m },
    };

    [Theory]
    [MemberData(nameof(Accepted))]
    public void Plain_decimal_strings_are_parsed_like_ruby_big_decimal(string text, decimal expected)
    {
        Assert.True(DecimalText.TryParse(text, out var value));
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("abc")]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    [InlineData("-Infinity")]
    [InlineData("1e")]
    [InlineData("1e+")]
    [InlineData("e5")]
    [InlineData(".")]
    [InlineData("-")]
    [InlineData("--1")]
    [InlineData("1..2")]
    [InlineData("1.2.3")]
    [InlineData("1,5")]
    [InlineData("1 2")]
    [InlineData("0x10")]
    [InlineData("10abc")]
    [InlineData("10000000000000000000000000")]
    [InlineData("1e25")]
    [InlineData("-1e25")]
    [InlineData("9999999999999999999999999.5")]
    [InlineData("1e999999999999")]
    [InlineData(null)]
    public void Non_numbers_and_values_beyond_10_pow_25_minus_1_are_rejected(string? text)
    {
        Assert.False(DecimalText.TryParse(text, out var value));
        Assert.Equal(0m, value);
    }

    [Fact]
    public void Digits_beyond_decimal_precision_are_cut_so_flooring_matches_ruby()
    {
        Assert.True(DecimalText.TryParse("0.000009999999999999999999999999999999999", out var value));

        Assert.True(value < 0.00001m);
        Assert.Equal(0m, CreditRate.FloorCredits(value));
    }

    [Fact]
    public void A_vanishingly_small_exponent_parses_as_zero()
    {
        Assert.True(DecimalText.TryParse("1e-999999999", out var value));
        Assert.Equal(0m, value);
    }

    [Theory]
    [InlineData("12.34567")]
    [InlineData("0.1")]
    [InlineData("1000000.0")]
    [InlineData("-3.25")]
    public void Formatting_a_parsed_value_gives_back_the_lago_text(string text)
    {
        Assert.True(DecimalText.TryParse(text, out var value));
        Assert.Equal(text, DecimalText.Format(value));
    }
}
