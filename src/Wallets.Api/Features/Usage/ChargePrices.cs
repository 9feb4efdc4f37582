using System.Text.Json.Nodes;
using Wallets.Api.Data;
using Wallets.Domain.Billing;
using Wallets.Domain.Money;

namespace Wallets.Api.Features.Usage;

/// <summary>A charge's stored `properties` (validated when the plan was written) as its pricing rule.</summary>
public static class ChargePrices
{
    public static ChargePrice For(Charge charge) => charge.ChargeModel switch
    {
        ChargeModel.Graduated => new GraduatedPrice((charge.Properties["graduated_ranges"] as JsonArray ?? [])
            .OfType<JsonObject>()
            .Select(r => new GraduatedRange(Number(r["from_value"]), r["to_value"] is null ? null : Number(r["to_value"]),
                Number(r["per_unit_amount"]), Number(r["flat_amount"])))
            .ToList()),
        ChargeModel.Package => new PackagePrice(Number(charge.Properties["amount"]),
            Math.Max(1, (long)Number(charge.Properties["package_size"])), (long)Number(charge.Properties["free_units"])),
        _ => new StandardPrice(Number(charge.Properties["amount"])),
    };

    // Prices are decimal strings; sizes and bounds are JSON integers. Neither passes through binary floating point.
    private static decimal Number(JsonNode? node) => node switch
    {
        JsonValue v when v.TryGetValue<string>(out var text) && DecimalText.TryParse(text, out var parsed) => parsed,
        JsonValue v when v.TryGetValue<long>(out var whole) => whole,
        JsonValue v when v.TryGetValue<decimal>(out var exact) => exact,
        _ => 0m,
    };
}
