using Wallets.Domain.Money;

namespace Wallets.Domain.Tests.Money;

public sealed class CreditRateTests
{
    private static CreditRate Rate(decimal rate, string currency = "EUR") => new(rate, Currencies.Get(currency));

    [Fact]
    public void Lago_example_rate_0_001_turns_1034_credits_into_103_cents_and_1030_credits()
    {
        var credit = Rate(0.001m).FromCredits(1034m, roundTrip: true);

        Assert.Equal(1.03m, credit.Amount);
        Assert.Equal(103, credit.AmountCents);
        Assert.Equal(1030m, credit.Credits);
    }

    [Fact]
    public void Float_noise_in_a_paid_amount_is_floored_to_5_decimals_before_conversion()
    {
        Assert.True(DecimalText.TryParse("17.9699999999999988631316", out var paid));

        var credit = Rate(1m).FromCredits(paid, roundTrip: true);

        Assert.Equal(17.97m, credit.Amount);
        Assert.Equal(1797, credit.AmountCents);
        Assert.Equal(17.97m, credit.Credits);
    }

    [Fact]
    public void Yen_amounts_round_half_up_to_whole_yen()
    {
        var credit = Rate(1m, "JPY").FromCredits(10.5m, roundTrip: true);

        Assert.Equal(11m, credit.Amount);
        Assert.Equal(11, credit.AmountCents);
        Assert.Equal(11m, credit.Credits);
    }

    [Fact]
    public void Kuwaiti_dinar_amounts_keep_three_decimals()
    {
        var credit = Rate(1m, "KWD").FromCredits(1.2345m, roundTrip: true);

        Assert.Equal(1.235m, credit.Amount);
        Assert.Equal(1235, credit.AmountCents);
        Assert.Equal(1.235m, credit.Credits);
    }

    [Fact]
    public void Pool_void_keeps_the_floored_credits_without_round_trip()
    {
        var credit = Rate(0.001m).FromCredits(1034.123456m, roundTrip: false);

        Assert.Equal(1.03m, credit.Amount);
        Assert.Equal(103, credit.AmountCents);
        Assert.Equal(1034.12345m, credit.Credits);
    }

    [Fact]
    public void Round_trip_credits_round_half_up_at_the_fifth_decimal()
    {
        // 0.00062 credits at 16 EUR is 0.00992 EUR, so 1 cent; 0.01 / 16 = 0.000625, which rounds up to 0.00063.
        var credit = Rate(16m).FromCredits(0.00062m, roundTrip: true);

        Assert.Equal(1, credit.AmountCents);
        Assert.Equal(0.00063m, credit.Credits);
    }

    [Theory]
    [InlineData(1, 16, "EUR", 0.00063)]
    [InlineData(100, 3, "EUR", 0.33333)]
    [InlineData(200, 3, "EUR", 0.66667)]
    [InlineData(1000, 1, "EUR", 10)]
    [InlineData(103, 0.001, "EUR", 1030)]
    [InlineData(11, 1, "JPY", 11)]
    [InlineData(1235, 1, "KWD", 1.235)]
    [InlineData(0, 2, "EUR", 0)]
    public void Cents_convert_to_credits_at_5_decimals(long cents, decimal rate, string currency, decimal credits)
    {
        var credit = Rate(rate, currency).FromCents(cents);

        Assert.Equal(credits, credit.Credits);
        Assert.Equal(cents, credit.AmountCents);
        Assert.Equal((decimal)cents / Currencies.Get(currency).SubunitToUnit, credit.Amount);
    }

    [Theory]
    [InlineData(0.004, true)]
    [InlineData(0.00499, true)]
    [InlineData(0.005, false)]
    [InlineData(1, false)]
    [InlineData(0, false)]
    [InlineData(0.000001, false)]
    public void Credits_worth_less_than_half_a_cent_round_to_zero(decimal credits, bool roundsToZero)
    {
        Assert.Equal(roundsToZero, Rate(1m).RoundsToZero(credits));
    }

    [Fact]
    public void Unit_amount_cents_is_the_price_of_one_credit_in_minor_units()
    {
        Assert.Equal(0.1m, Rate(0.001m).UnitAmountCents);
        Assert.Equal(1500m, Rate(1.5m, "KWD").UnitAmountCents);
    }

    [Fact]
    public void An_amount_beyond_64_bit_cents_is_reported_not_thrown_by_try()
    {
        var rate = Rate(1000m);

        Assert.False(rate.TryFromCredits(9_999_999_999_999_999_999_999_999m, roundTrip: true, out _));
        Assert.Throws<OverflowException>(() => rate.FromCredits(9_999_999_999_999_999_999_999_999m, roundTrip: true));
        Assert.True(rate.TryFromCredits(10m, roundTrip: true, out var credit));
        Assert.Equal(1_000_000, credit.AmountCents);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void A_rate_must_be_positive(decimal rate)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new CreditRate(rate, Currencies.Get("EUR")));
    }

    [Fact]
    public void Floor_cuts_to_5_decimals_towards_negative_infinity()
    {
        Assert.Equal(1.99999m, CreditRate.FloorCredits(1.999999m));
        Assert.Equal(-1.00001m, CreditRate.FloorCredits(-1.000001m));
        Assert.Equal(9_999_999_999_999_999_999_999.99999m, CreditRate.FloorCredits(9_999_999_999_999_999_999_999.999999m));
    }
}
