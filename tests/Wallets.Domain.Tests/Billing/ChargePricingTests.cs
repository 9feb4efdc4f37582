using Wallets.Domain.Billing;

namespace Wallets.Domain.Tests.Billing;

public sealed class ChargePricingTests
{
    [Theory]
    [InlineData("0", "0")]
    [InlineData("3", "1.5")]
    [InlineData("2.5", "1.25")]
    public void Standard_prices_every_unit_the_same(string units, string amount) =>
        Assert.Equal(decimal.Parse(amount), new StandardPrice(0.5m).AmountFor(decimal.Parse(units)));

    [Theory]
    [InlineData(0, 0)]
    [InlineData(5, 0)]
    [InlineData(6, 10)]
    [InlineData(15, 10)]
    [InlineData(16, 20)]
    public void Package_bills_started_packages_beyond_the_free_units(int units, int amount) =>
        Assert.Equal(amount, new PackagePrice(10m, 10, 5).AmountFor(units));

    private static readonly GraduatedPrice Classic = new([
        new GraduatedRange(0, 10, 1m, 5m),
        new GraduatedRange(11, 20, 0.5m, 2m),
        new GraduatedRange(21, null, 0.1m, 0m),
    ]);

    [Theory]
    [InlineData(0, "0")]
    [InlineData(1, "6")]        // 1 × 1 + flat 5
    [InlineData(10, "15")]      // 10 × 1 + 5
    [InlineData(11, "17.5")]    // 15 + 1 × 0.5 + 2
    [InlineData(20, "22")]      // 15 + 10 × 0.5 + 2
    [InlineData(25, "22.5")]    // 22 + 5 × 0.1
    public void Graduated_prices_each_tier_and_adds_its_flat_amount_once_reached(int units, string amount) =>
        Assert.Equal(decimal.Parse(amount), Classic.AmountFor(units));

    [Fact]
    public void Graduated_ranges_that_share_their_bounds_price_the_same()
    {
        var contiguous = new GraduatedPrice([
            new GraduatedRange(0, 10, 1m, 5m),
            new GraduatedRange(10, 20, 0.5m, 2m),
            new GraduatedRange(20, null, 0.1m, 0m),
        ]);
        foreach (var units in new[] { 0, 1, 10, 11, 20, 25, 1000 })
            Assert.Equal(Classic.AmountFor(units), contiguous.AmountFor(units));
    }

    [Fact]
    public void Precise_cents_scale_by_the_currency_and_never_go_negative()
    {
        Assert.Equal(150m, new StandardPrice(0.5m).PreciseCentsFor(3, 100));
        Assert.Equal(0m, new StandardPrice(0.5m).PreciseCentsFor(-3, 100));
        Assert.Equal(1500m, new StandardPrice(0.5m).PreciseCentsFor(3, 1000));
    }
}
