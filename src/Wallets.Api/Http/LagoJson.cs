using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Wallets.Domain.Money;

namespace Wallets.Api.Http;

/// <summary>Lago's JSON conventions: snake_case, decimals as strings, ISO 8601 UTC timestamps.</summary>
public static class LagoJson
{
    public static readonly JsonSerializerOptions Options = Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        options.DictionaryKeyPolicy = null;
        options.NumberHandling = JsonNumberHandling.AllowReadingFromString;
        options.Converters.Add(new DecimalAsString());
        options.Converters.Add(new UtcTimestamp());
        options.Converters.Add(new LenientString());
        return options;
    }

    /// <summary>Writes `"10.0"` like Lago's BigDecimal; reads a JSON string or number.</summary>
    private sealed class DecimalAsString : JsonConverter<decimal>
    {
        public override decimal Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType == JsonTokenType.Number) return reader.GetDecimal();
            if (reader.TokenType == JsonTokenType.String && DecimalText.TryParse(reader.GetString(), out var value)) return value;
            throw new JsonException("not a decimal");
        }

        public override void Write(Utf8JsonWriter writer, decimal value, JsonSerializerOptions options) =>
            writer.WriteStringValue(DecimalText.Format(value));
    }

    /// <summary>`2022-04-29T08:59:51Z`: UTC, whole seconds, as Lago renders timestamps.</summary>
    private sealed class UtcTimestamp : JsonConverter<DateTimeOffset>
    {
        public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            DateTimeOffset.Parse(reader.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal).ToUniversalTime();

        public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
            writer.WriteStringValue(value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// Rails coerces scalars in params to strings; so do we (e.g. `paid_credits: 10`). A NUL character is refused
    /// (a field error): PostgreSQL text cannot store it, so it would otherwise fail at save time as a 500.
    /// </summary>
    private sealed class LenientString : JsonConverter<string>
    {
        public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.TokenType switch
            {
                JsonTokenType.String => WithoutNul(reader.GetString()),
                JsonTokenType.Number => System.Text.Encoding.UTF8.GetString(reader.ValueSpan),
                JsonTokenType.True => "true",
                JsonTokenType.False => "false",
                JsonTokenType.Null => null,
                _ => throw new JsonException("not a string"),
            };

        public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);

        private static string? WithoutNul(string? text) => text?.Contains('\0') == true ? throw new JsonException("NUL in a string") : text;
    }
}
