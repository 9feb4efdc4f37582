namespace Wallets.Domain.Billing;

/// <summary>A tax as a fee sees it: its code and its rate in percent (20 = 20 %).</summary>
public sealed record TaxRate(string Code, decimal Rate);

/// <summary>What kind of fee is being taxed; it decides which levels of taxes may apply (see <see cref="FeeTaxes"/>).</summary>
public enum FeeKind
{
    Subscription,
    Charge,
    FixedCharge,
    Commitment,
    AddOn,
}

/// <summary>
/// The taxes configured at each level a fee can inherit from. <see cref="Item"/> is the fee's own object
/// (the charge, fixed charge, commitment or add-on); subscription fees have none.
/// </summary>
public sealed record TaxLevels(
    IReadOnlyList<TaxRate> Item,
    IReadOnlyList<TaxRate> Plan,
    IReadOnlyList<TaxRate> Customer,
    IReadOnlyList<TaxRate> Organization)
{
    public static readonly IReadOnlyList<TaxRate> None = [];
}

/// <summary>One tax applied to one fee, rounded to whole minor units.</summary>
public sealed record AppliedTax(string Code, decimal Rate, long AmountCents, decimal PreciseAmountCents);

/// <summary>The taxes of one fee: each tax, their total (rounded once, from the exact sum) and the summed rate.</summary>
public sealed record TaxedFee(IReadOnlyList<AppliedTax> Taxes, long TaxesAmountCents, decimal TaxesPreciseAmountCents, decimal TaxesRate);

/// <summary>Which taxes apply to a fee and how much they come to, as Lago's Fees::ApplyTaxesService does.</summary>
public static class FeeTaxes
{
    /// <summary>
    /// The most specific non-empty level wins, and levels never mix: the fee's own taxes; else the plan's (only for fees
    /// that belong to a subscription, never add-ons); else the customer's; else the organization's default taxes.
    /// </summary>
    public static IReadOnlyList<TaxRate> Applicable(FeeKind kind, TaxLevels levels)
    {
        if (kind != FeeKind.Subscription && levels.Item.Count > 0) return levels.Item;
        if (kind != FeeKind.AddOn && levels.Plan.Count > 0) return levels.Plan;
        if (levels.Customer.Count > 0) return levels.Customer;
        return levels.Organization;
    }

    /// <summary>
    /// Taxes on an amount (the fee's amount after coupons, in minor units, possibly fractional): each tax is
    /// amount × rate / 100 rounded half-up; the fee's total is the exact sum rounded once, so it may differ by a unit
    /// from the sum of the rounded lines, as in Lago.
    /// </summary>
    public static TaxedFee Apply(decimal amountCents, IReadOnlyList<TaxRate> taxes)
    {
        var applied = new List<AppliedTax>(taxes.Count);
        var exactTotal = 0m;
        var rate = 0m;
        foreach (var tax in taxes)
        {
            var exact = amountCents * tax.Rate / 100m;
            applied.Add(new AppliedTax(tax.Code, tax.Rate, RoundHalfUp(exact), exact));
            exactTotal += exact;
            rate += tax.Rate;
        }

        return new TaxedFee(applied, RoundHalfUp(exactTotal), exactTotal, rate);
    }

    /// <summary>The two steps together, for the common case.</summary>
    public static TaxedFee For(FeeKind kind, decimal amountCents, TaxLevels levels) => Apply(amountCents, Applicable(kind, levels));

    // Ruby's Float#round: halves go away from zero, which is half-up for the non-negative amounts fees carry.
    private static long RoundHalfUp(decimal value) => decimal.ToInt64(decimal.Round(value, 0, MidpointRounding.AwayFromZero));
}
