using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Wallets.Api.Data;
using Wallets.Domain.Money;

namespace Wallets.Api.Features.Plans;

/// <summary>
/// A charge's `properties` per charge model, as Lago validates and keeps them. Prices must be decimal strings
/// (Lago refuses JSON numbers for amounts, so no price ever passes through binary floating point) and are stored as sent.
/// </summary>
public static class ChargeProperties
{
    /// <summary>Lago's defaults when a charge comes without properties (integers as long, as parsed JSON reads them).</summary>
    public static JsonObject Default(string model) => model switch
    {
        ChargeModel.Graduated => new JsonObject
        {
            ["graduated_ranges"] = new JsonArray(new JsonObject
            {
                ["from_value"] = 0L, ["to_value"] = null, ["per_unit_amount"] = "0", ["flat_amount"] = "0",
            }),
        },
        ChargeModel.Package => new JsonObject { ["package_size"] = 1L, ["amount"] = "0", ["free_units"] = 0L },
        _ => new JsonObject { ["amount"] = "0" },
    };

    /// <summary>Only the keys the model uses (as Lago slices them); `grouped_by` is kept as `pricing_group_keys`.</summary>
    public static JsonObject Keep(string model, JsonObject? sent)
    {
        if (sent is null || sent.Count == 0) return Default(model);
        string[] keys = model switch
        {
            ChargeModel.Graduated => ["graduated_ranges"],
            ChargeModel.Package => ["amount", "free_units", "package_size"],
            _ => ["amount"],
        };
        var kept = new JsonObject();
        foreach (var key in keys)
            if (sent.TryGetPropertyValue(key, out var value)) kept[key] = key == "graduated_ranges" ? Ranges(value) : value?.DeepClone();
        var groupKeys = sent["pricing_group_keys"] is JsonArray { Count: > 0 } keysSent ? keysSent : sent["grouped_by"];
        if (groupKeys is JsonArray { Count: > 0 }) kept["pricing_group_keys"] = groupKeys.DeepClone();
        return kept;
    }

    // Each range keeps only its four fields, so nothing unchecked reaches the database.
    private static JsonNode? Ranges(JsonNode? ranges) => ranges is JsonArray items
        ? new JsonArray(items.Select(r => r is JsonObject range
            ? new JsonObject(new[] { "from_value", "to_value", "per_unit_amount", "flat_amount" }
                .Where(range.ContainsKey).Select(k => KeyValuePair.Create(k, range[k]?.DeepClone())))
            : r?.DeepClone()).ToArray())
        : ranges?.DeepClone();

    /// <summary>Lago's error codes for properties that do not fit the model; empty when they do.</summary>
    public static IEnumerable<string> Errors(string model, JsonObject properties)
    {
        if (properties["pricing_group_keys"] is { } groupKeys && !IsStringList(groupKeys)) yield return "invalid_type";
        switch (model)
        {
            case ChargeModel.Standard:
                if (!IsAmount(properties["amount"])) yield return "invalid_amount";
                break;
            case ChargeModel.Package:
                if (!IsAmount(properties["amount"])) yield return "invalid_amount";
                if (!(Integer(properties["free_units"]) >= 0)) yield return "invalid_free_units";
                if (!(Integer(properties["package_size"]) > 0)) yield return "invalid_package_size";
                break;
            case ChargeModel.Graduated:
                foreach (var error in RangeErrors(properties["graduated_ranges"]).Distinct()) yield return error;
                break;
        }
    }

    /// <summary>
    /// Shown as Lago shows it: `grouped_by` mirrors `pricing_group_keys` for older clients, and keys come in jsonb's
    /// order (shorter first, then by bytes), so a charge reads the same just created as read back.
    /// </summary>
    public static JsonObject ForDisplay(JsonObject stored)
    {
        var shown = (JsonObject)InJsonbOrder(stored)!;
        if (shown["pricing_group_keys"] is JsonArray keys) shown["grouped_by"] = keys.DeepClone();
        return (JsonObject)InJsonbOrder(shown)!;
    }

    private static JsonNode? InJsonbOrder(JsonNode? node) => node switch
    {
        JsonObject o => new JsonObject(o.OrderBy(p => Encoding.UTF8.GetByteCount(p.Key)).ThenBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => KeyValuePair.Create(p.Key, InJsonbOrder(p.Value)))),
        JsonArray a => new JsonArray(a.Select(InJsonbOrder).ToArray()),
        _ => node?.DeepClone(),
    };

    // Ranges start at 0, each starts at (or one after) where the previous one ended, and only the last is open (to_value null).
    private static IEnumerable<string> RangeErrors(JsonNode? node)
    {
        if (node is not JsonArray { Count: > 0 } ranges)
        {
            yield return "missing_graduated_ranges";
            yield break;
        }

        long? previousTo = null;
        for (var i = 0; i < ranges.Count; i++)
        {
            if (ranges[i] is not JsonObject range)
            {
                yield return "invalid_graduated_ranges";
                yield break;
            }

            if (!IsAmount(range["per_unit_amount"]) || !IsAmount(range["flat_amount"])) yield return "invalid_amount";
            var from = Integer(range["from_value"]);
            var to = range["to_value"] is null ? (long?)null : Integer(range["to_value"]) ?? -1;
            var last = i == ranges.Count - 1;
            var fromFits = i == 0 ? from == 0 : from == previousTo || from == previousTo + 1;
            if (!fromFits || (last ? to is not null : to is null || to <= from)) yield return "invalid_graduated_ranges";
            previousTo = to;
        }
    }

    private static bool IsAmount(JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.String
        && DecimalText.TryParse(value.GetValue<string>(), out var amount) && amount >= 0;

    private static long? Integer(JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.Number && value.TryGetValue<long>(out var number) ? number : null;

    private static bool IsStringList(JsonNode node) =>
        node is JsonArray items && items.All(i => i is JsonValue v && v.GetValueKind() == JsonValueKind.String
            && v.GetValue<string>() is { Length: > 0 } key && !key.Contains('\0'));
}
