using System.Text.Json;
using System.Text.Json.Serialization;
using Wallets.Domain.Money;

namespace Wallets.Api.Http;

/// <summary>
/// For the few decimals Lago renders as JSON numbers (a tax `rate`, a plan's `trial_period`): written as an exact
/// decimal literal without trailing zeros, read from a JSON number or a decimal string. Never used for money.
/// </summary>
public sealed class DecimalAsNumber : JsonConverter<decimal>
{
    public override decimal Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetDecimal(out var number)) return number;
        if (reader.TokenType == JsonTokenType.String && DecimalText.TryParse(reader.GetString(), out var parsed)) return parsed;
        throw new JsonException("not a decimal");
    }

    // Dividing by 1.000… drops the trailing zeros a numeric(p,s) column brings back (20.00000 → 20).
    public override void Write(Utf8JsonWriter writer, decimal value, JsonSerializerOptions options) =>
        writer.WriteNumberValue(value / 1.000000000000000000000000000000000m);
}
