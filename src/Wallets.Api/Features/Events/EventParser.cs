using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Wallets.Api.Data;
using Wallets.Api.Http;
using Wallets.Domain.Money;

namespace Wallets.Api.Features.Events;

/// <summary>
/// Validates one event object as Lago does (`value_is_mandatory`, `timestamp: invalid_format`), and refuses what
/// PostgreSQL could not store (NUL characters, lone surrogates, keys too long for an index entry), so bad input is a
/// 422 and never a 500.
/// </summary>
public static class EventParser
{
    public const int MaxBatchLength = 100;

    /// <summary>An event's `properties`, as sent (UTF-8 JSON), hold at most 64 KB (DESIGN.md 24).</summary>
    public const int MaxPropertiesBytes = 64 * 1024;

    // Each identifier goes into a unique index entry (at most ~2.7 kB in total).
    private const int MaxKeyBytes = 1024;

    // Unix seconds DateTimeOffset can hold (years 1 to 9999).
    private const decimal MinUnixSeconds = -62_135_596_800m;
    private const decimal MaxUnixSeconds = 253_402_300_799m;

    public static (ParsedEvent? Event, Dictionary<string, string[]>? Errors) Parse(JsonElement item, DateTimeOffset now)
    {
        var errors = new Dictionary<string, string[]>();
        if (item.ValueKind != JsonValueKind.Object) return (null, new() { ["event"] = ["value_is_invalid"] });

        var transactionId = Identifier(item, "transaction_id", errors, mandatory: true);
        var code = Identifier(item, "code", errors, mandatory: true);
        var subscription = Identifier(item, "external_subscription_id", errors, mandatory: false);
        var customer = Identifier(item, "external_customer_id", errors, mandatory: false);
        if (string.IsNullOrWhiteSpace(subscription) && string.IsNullOrWhiteSpace(customer) && !errors.ContainsKey("external_subscription_id"))
            errors["external_subscription_id"] = ["value_is_mandatory"];

        var timestamp = now;
        if (item.TryGetProperty("timestamp", out var ts) && ts.ValueKind != JsonValueKind.Null && !TryTimestamp(ts, out timestamp))
            errors["timestamp"] = ["invalid_format"];

        var properties = EmptyObject;
        if (item.TryGetProperty("properties", out var props) && props.ValueKind != JsonValueKind.Null)
        {
            if (props.ValueKind == JsonValueKind.Object && JsonMarshal.GetRawUtf8Value(props).Length > MaxPropertiesBytes) errors["properties"] = ["value_is_too_long"];
            else if (props.ValueKind == JsonValueKind.Object && IsStorable(props)) properties = props.Clone();
            else errors["properties"] = ["value_is_invalid"];
        }

        decimal? precise = null;
        if (item.TryGetProperty("precise_total_amount_cents", out var amount) && amount.ValueKind != JsonValueKind.Null)
        {
            if (Scalar(amount) is { } text && DecimalText.TryParse(text, out var parsed)) precise = Math.Round(parsed, 15, MidpointRounding.AwayFromZero);
            else errors["precise_total_amount_cents"] = ["value_is_invalid"];
        }

        var target = TargetWalletCode(item, properties, errors);
        if (errors.Count > 0) return (null, errors);
        return (new ParsedEvent(Ids.New(), transactionId!, subscription ?? "", string.IsNullOrEmpty(customer) ? null : customer, code!,
            timestamp, properties, precise, target), null);
    }

    /// <summary>Rails params: a scalar is read as a string; an object or array is refused.</summary>
    private static string? Identifier(JsonElement item, string field, Dictionary<string, string[]> errors, bool mandatory)
    {
        string? text = null;
        if (item.TryGetProperty(field, out var value) && value.ValueKind != JsonValueKind.Null)
        {
            text = Scalar(value);
            if (text is null || text.Contains('\0')) { errors[field] = ["value_is_invalid"]; return null; }
            if (Encoding.UTF8.GetByteCount(text) > MaxKeyBytes) { errors[field] = ["value_is_too_long"]; return null; }
        }
        if (mandatory && string.IsNullOrWhiteSpace(text)) errors[field] = ["value_is_mandatory"];
        return text;
    }

    /// <summary>`target_wallet_code` at the top level wins; otherwise a scalar `properties.target_wallet_code` counts.</summary>
    private static string TargetWalletCode(JsonElement item, JsonElement properties, Dictionary<string, string[]> errors)
    {
        string? code = null;
        if (item.TryGetProperty("target_wallet_code", out var top) && top.ValueKind != JsonValueKind.Null)
        {
            code = Scalar(top);
            if (code is null || code.Contains('\0')) { errors["target_wallet_code"] = ["value_is_invalid"]; return ""; }
        }
        else if (properties.TryGetProperty("target_wallet_code", out var inner) && inner.ValueKind is JsonValueKind.String or JsonValueKind.Number)
        {
            code = Scalar(inner);
        }

        if (code is not null && Encoding.UTF8.GetByteCount(code) > MaxKeyBytes) { errors["target_wallet_code"] = ["value_is_too_long"]; return ""; }
        // Lago: a blank code targets nothing.
        return string.IsNullOrWhiteSpace(code) ? "" : code;
    }

    /// <summary>Unix seconds (integer or decimal, as a number or a string) or an ISO 8601 date-time.</summary>
    private static bool TryTimestamp(JsonElement value, out DateTimeOffset at)
    {
        at = default;
        var text = Scalar(value);
        if (text is null || value.ValueKind is JsonValueKind.True or JsonValueKind.False) return false;
        if (decimal.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
        {
            if (seconds is < MinUnixSeconds or > MaxUnixSeconds) return false;
            var ticks = decimal.ToInt64(decimal.Round(seconds * TimeSpan.TicksPerSecond, 0, MidpointRounding.ToZero));
            // PostgreSQL keeps microseconds.
            at = DateTimeOffset.UnixEpoch.AddTicks(ticks - (ticks % 10));
            return true;
        }
        return IsoTime.TryParse(text, out at);
    }

    private static string? Scalar(JsonElement value)
    {
        try
        {
            return value.ValueKind switch
            {
                JsonValueKind.String => value.GetString(),
                JsonValueKind.Number => value.GetRawText(),
                JsonValueKind.True => "true",
                JsonValueKind.False => "false",
                _ => null,
            };
        }
        catch (InvalidOperationException)
        {
            // A lone surrogate escape (`"\ud800"`) has no UTF-8 form.
            return null;
        }
    }

    /// <summary>jsonb refuses `\u0000`, lone surrogates and numbers beyond its numeric range.</summary>
    private static bool IsStorable(JsonElement value)
    {
        try
        {
            return Storable(value);
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static bool Storable(JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in value.EnumerateObject())
                    if (property.Name.Contains('\0') || !Storable(property.Value)) return false;
                return true;
            case JsonValueKind.Array:
                foreach (var element in value.EnumerateArray())
                    if (!Storable(element)) return false;
                return true;
            case JsonValueKind.String:
                return Scalar(value) is { } text && !text.Contains('\0');
            case JsonValueKind.Number:
                var raw = value.GetRawText();
                var e = raw.IndexOfAny(['e', 'E']);
                return raw.Length <= 1000 && (e < 0 || (int.TryParse(raw.AsSpan(e + 1), CultureInfo.InvariantCulture, out var exponent) && Math.Abs(exponent) <= 1000));
            default:
                return true;
        }
    }

    private static readonly JsonElement EmptyObject = JsonDocument.Parse("{}").RootElement;
}
