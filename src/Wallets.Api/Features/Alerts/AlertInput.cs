using System.Text.Json;
using Wallets.Api.Data;
using Wallets.Api.Http;
using Wallets.Domain.Money;

namespace Wallets.Api.Features.Alerts;

/// <summary>A threshold as sent: Lago reads `value` as an integer or a BigDecimal string.</summary>
public sealed record ThresholdInput(string? Code, decimal Value, bool Recurring);

/// <summary>
/// An alert as sent (`alert_type`, `code`, `name`, `thresholds`), validated in Lago's order: the first failing rule
/// is the one error returned.
/// </summary>
public sealed record AlertInput(string? AlertType, string? Code, string? Name, bool NameSent, JsonElement? RawThresholds)
{
    /// <summary>Lago's soft limit of thresholds per alert.</summary>
    public const int MaxThresholds = 20;

    public static Result<AlertInput> Read(JsonElement alert)
    {
        if (alert.ValueKind != JsonValueKind.Object) return LagoError.Validation("alert", "value_is_invalid");
        var nameSent = alert.TryGetProperty("name", out var nameElement);
        var name = nameSent && nameElement.ValueKind == JsonValueKind.String ? nameElement.GetString() : null;
        JsonElement? thresholds = alert.TryGetProperty("thresholds", out var list) && list.ValueKind != JsonValueKind.Null ? list.Clone() : null;
        return new AlertInput(Text(alert, "alert_type"), Text(alert, "code"), name, nameSent, thresholds);
    }

    /// <summary>Lago's create rules: a wallet alert type, then the thresholds, then a code.</summary>
    public Result<List<ThresholdInput>> ForCreate()
    {
        if (string.IsNullOrWhiteSpace(AlertType)) return LagoError.Validation("alert_type", "value_is_mandatory", "value_is_invalid");
        if (!WalletAlertTypes.All.Contains(AlertType)) return LagoError.Validation("alert_type", "invalid_type");
        if (RawThresholds is not { } raw || LagoBody.IsBlank(raw)) return LagoError.Validation("thresholds", "value_is_mandatory");
        var thresholds = Thresholds(raw);
        if (!thresholds.IsOk) return thresholds;
        if (string.IsNullOrWhiteSpace(Code)) return LagoError.Validation("code", "value_is_mandatory");
        return thresholds;
    }

    /// <summary>Lago's update rules: only what was sent changes (no thresholds: null); a sent code is not blank.</summary>
    public Result<List<ThresholdInput>?> ForUpdate()
    {
        List<ThresholdInput>? thresholds = null;
        if (RawThresholds is { } raw && !LagoBody.IsBlank(raw))
        {
            var read = Thresholds(raw);
            if (!read.IsOk) return read.Error!;
            thresholds = read.Value;
        }
        if (Code is not null && string.IsNullOrWhiteSpace(Code)) return LagoError.Validation("code", "value_is_mandatory");
        return thresholds;
    }

    private static Result<List<ThresholdInput>> Thresholds(JsonElement list)
    {
        if (list.ValueKind != JsonValueKind.Array) return LagoError.Validation("thresholds", "value_is_invalid");
        var raw = list.EnumerateArray().ToList();
        if (raw.Count > MaxThresholds) return LagoError.Validation("thresholds", "too_many_thresholds");
        var keys = raw.Select(t => (t.ValueKind == JsonValueKind.Object && t.TryGetProperty("value", out var v) ? v.ToString() : null, IsTrue(t, "recurring"))).ToList();
        if (keys.Distinct().Count() != keys.Count) return LagoError.Validation("thresholds", "duplicate_threshold_values");
        if (raw.Any(t => t.ValueKind != JsonValueKind.Object || !t.TryGetProperty("value", out var v) || v.ValueKind == JsonValueKind.Null))
            return LagoError.Validation("thresholds:value", "value_is_mandatory");
        var thresholds = new List<ThresholdInput>();
        foreach (var t in raw)
        {
            var value = t.GetProperty("value");
            var text = value.ValueKind is JsonValueKind.Number or JsonValueKind.String ? value.ToString() : null;
            // Stored as numeric(30,5); beyond 25 integer digits it is refused like any unreadable number.
            if (!DecimalText.TryParse(text, out var number)) return LagoError.Validation("thresholds:value", "value_is_invalid");
            thresholds.Add(new ThresholdInput(Text(t, "code"), decimal.Round(number, 5, MidpointRounding.AwayFromZero), IsTrue(t, "recurring")));
        }
        if (thresholds.Any(t => t.Recurring && t.Value <= 0)) return LagoError.Validation("thresholds:value", "recurring_value_is_negative");
        // Lago's database refuses a second recurring threshold, reported as its generic uniqueness error.
        if (thresholds.Count(t => t.Recurring) > 1) return LagoError.Validation("base", "alert_already_exists");
        return thresholds;
    }

    private static string? Text(JsonElement e, string key) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(key, out var v) && v.ValueKind is JsonValueKind.String or JsonValueKind.Number ? v.ToString() : null;

    // ActiveModel's boolean cast: true, "true", "1", 1 (and the other truthy strings) are true; absent, false, "0", "false" are not.
    private static bool IsTrue(JsonElement e, string key) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(key, out var v) && v.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.String => v.GetString() is { Length: > 0 } s && !new[] { "0", "f", "false", "off", "F", "FALSE", "OFF" }.Contains(s),
            JsonValueKind.Number => v.ToString() != "0",
            _ => false,
        };
}
