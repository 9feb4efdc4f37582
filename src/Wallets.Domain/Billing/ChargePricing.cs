namespace Wallets.Domain.Billing;

/// <summary>How a charge turns units into money. Amounts are in currency units (10.5 = ten and a half euros), exact.</summary>
public abstract record ChargePrice
{
    /// <summary>The exact amount for <paramref name="units"/> (never negative units).</summary>
    public abstract decimal AmountFor(decimal units);

    /// <summary>The exact amount in minor units (possibly fractional), as fees carry it before rounding.</summary>
    public decimal PreciseCentsFor(decimal units, long subunitToUnit) => AmountFor(Math.Max(0, units)) * subunitToUnit;
}

/// <summary>`standard`: every unit at one price.</summary>
public sealed record StandardPrice(decimal UnitAmount) : ChargePrice
{
    public override decimal AmountFor(decimal units) => units * UnitAmount;
}

/// <summary>`package`: units beyond the free ones, billed by started package.</summary>
public sealed record PackagePrice(decimal Amount, long PackageSize, long FreeUnits) : ChargePrice
{
    public override decimal AmountFor(decimal units)
    {
        var paid = units - FreeUnits;
        return paid <= 0 ? 0 : Math.Ceiling(paid / PackageSize) * Amount;
    }
}

/// <summary>One tier of a graduated price: units above <see cref="FromValue"/> up to <see cref="ToValue"/> (open when null).</summary>
public sealed record GraduatedRange(decimal FromValue, decimal? ToValue, decimal PerUnitAmount, decimal FlatAmount);

/// <summary>
/// `graduated`: each tier prices the units that fall in it, plus its flat amount once the tier is reached.
/// Ranges may be written 0–10, 11–20 (Lago's classic form) or 0–10, 10–20: either way the second tier starts after unit 10.
/// </summary>
public sealed record GraduatedPrice(IReadOnlyList<GraduatedRange> Ranges) : ChargePrice
{
    public override decimal AmountFor(decimal units)
    {
        var amount = 0m;
        decimal? previousTo = null;
        foreach (var range in Ranges)
        {
            // The tier's lower bound: "from 11" after "to 10" means above 10.
            var lower = previousTo is { } before && range.FromValue > before ? before : range.FromValue;
            previousTo = range.ToValue;
            if (units <= lower) break;
            var upper = range.ToValue is { } to ? Math.Min(units, to) : units;
            amount += (upper - lower) * range.PerUnitAmount + range.FlatAmount;
            if (range.ToValue is { } end && units <= end) break;
        }
        return amount;
    }
}
