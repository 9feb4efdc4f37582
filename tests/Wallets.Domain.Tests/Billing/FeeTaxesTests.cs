using Wallets.Domain.Billing;

namespace Wallets.Domain.Tests.Billing;

public sealed class FeeTaxesTests
{
    private static readonly TaxRate Vat20 = new("vat_20", 20m);
    private static readonly TaxRate Vat10 = new("vat_10", 10m);
    private static readonly TaxRate Gst5 = new("gst_5", 5m);
    private static readonly TaxRate Local8875 = new("local", 8.875m);

    private static TaxLevels Levels(TaxRate[]? item = null, TaxRate[]? plan = null, TaxRate[]? customer = null, TaxRate[]? organization = null) =>
        new(item ?? [], plan ?? [], customer ?? [], organization ?? []);

    [Fact]
    public void A_charge_with_its_own_taxes_uses_only_those()
    {
        var levels = Levels(item: [Vat20], plan: [Vat10], customer: [Gst5], organization: [Local8875]);
        Assert.Equal([Vat20], FeeTaxes.Applicable(FeeKind.Charge, levels));
    }

    [Fact]
    public void A_charge_without_taxes_falls_back_to_the_plan_then_the_customer_then_the_organization()
    {
        Assert.Equal([Vat10], FeeTaxes.Applicable(FeeKind.Charge, Levels(plan: [Vat10], customer: [Gst5], organization: [Vat20])));
        Assert.Equal([Gst5], FeeTaxes.Applicable(FeeKind.Charge, Levels(customer: [Gst5], organization: [Vat20])));
        Assert.Equal([Vat20], FeeTaxes.Applicable(FeeKind.Charge, Levels(organization: [Vat20])));
        Assert.Empty(FeeTaxes.Applicable(FeeKind.Charge, Levels()));
    }

    [Fact]
    public void Levels_never_mix_the_first_non_empty_one_wins_whole()
    {
        var levels = Levels(plan: [Vat10, Gst5], customer: [Vat20]);
        Assert.Equal([Vat10, Gst5], FeeTaxes.Applicable(FeeKind.Charge, levels));
    }

    [Fact]
    public void A_subscription_fee_ignores_item_taxes_and_starts_at_the_plan()
    {
        Assert.Equal([Vat10], FeeTaxes.Applicable(FeeKind.Subscription, Levels(item: [Vat20], plan: [Vat10])));
        Assert.Equal([Gst5], FeeTaxes.Applicable(FeeKind.Subscription, Levels(item: [Vat20], customer: [Gst5])));
    }

    [Fact]
    public void An_add_on_fee_skips_plan_taxes()
    {
        Assert.Equal([Gst5], FeeTaxes.Applicable(FeeKind.AddOn, Levels(plan: [Vat10], customer: [Gst5])));
        Assert.Equal([Vat20], FeeTaxes.Applicable(FeeKind.AddOn, Levels(item: [Vat20], plan: [Vat10], customer: [Gst5])));
    }

    [Fact]
    public void Each_tax_is_rate_percent_of_the_amount_in_cents()
    {
        var taxed = FeeTaxes.Apply(10_000, [Vat20, Gst5]);

        Assert.Equal([2_000L, 500L], taxed.Taxes.Select(t => t.AmountCents));
        Assert.Equal(2_500, taxed.TaxesAmountCents);
        Assert.Equal(25m, taxed.TaxesRate);
    }

    [Theory]
    [InlineData(1, "50", 1)]        // 0.5 cent rounds up
    [InlineData(3, "50", 2)]        // 1.5 → 2
    [InlineData(5, "10", 1)]        // 0.5 → 1
    [InlineData(4, "10", 0)]        // 0.4 → 0
    [InlineData(1234, "8.875", 110)] // 109.5175 → 110
    public void Tax_amounts_round_half_up_to_whole_cents(long amountCents, string ratePercent, long expected)
    {
        var taxed = FeeTaxes.Apply(amountCents, [new TaxRate("t", decimal.Parse(ratePercent, System.Globalization.CultureInfo.InvariantCulture))]);
        Assert.Equal(expected, taxed.Taxes[0].AmountCents);
        Assert.Equal(expected, taxed.TaxesAmountCents);
    }

    [Fact]
    public void The_fee_total_rounds_the_exact_sum_once_not_the_rounded_lines()
    {
        // 3 × 0.4 cent: each line rounds to 0, the exact total 1.2 rounds to 1.
        var taxed = FeeTaxes.Apply(4, [new TaxRate("a", 10m), new TaxRate("b", 10m), new TaxRate("c", 10m)]);

        Assert.All(taxed.Taxes, t => Assert.Equal(0, t.AmountCents));
        Assert.Equal(1, taxed.TaxesAmountCents);
        Assert.Equal(1.2m, taxed.TaxesPreciseAmountCents);
    }

    [Fact]
    public void Fractional_fee_amounts_are_taxed_exactly_before_rounding()
    {
        var taxed = FeeTaxes.Apply(12.5m, [Vat20]);
        Assert.Equal(2.5m, taxed.TaxesPreciseAmountCents);
        Assert.Equal(3, taxed.TaxesAmountCents);
    }

    [Fact]
    public void No_applicable_taxes_means_zero_tax()
    {
        var taxed = FeeTaxes.For(FeeKind.Charge, 9_999, Levels());
        Assert.Empty(taxed.Taxes);
        Assert.Equal(0, taxed.TaxesAmountCents);
        Assert.Equal(0m, taxed.TaxesRate);
    }

    [Fact]
    public void Large_amounts_keep_exact_cents()
    {
        var taxed = FeeTaxes.Apply(999_999_999_999_999, [Vat20]);
        Assert.Equal(200_000_000_000_000, taxed.TaxesAmountCents); // 199 999 999 999 999.8 → up
    }
}
