using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Wallets.Api.Tests.OpenApi;

/// <summary>
/// Checks a JSON value against a schema of an OpenAPI 3.0 document, for the subset the Swagger document uses: `$ref`,
/// `type` (with `nullable`, or a 3.1 type list), `format`, `pattern`, `enum`, `required`, `properties`, `items`,
/// `additionalProperties`, `anyOf`/`oneOf`/`allOf`. Stricter than OpenAPI in one way, on purpose: an object schema that lists
/// its `properties` and says nothing of others is closed, so a field the document does not know is drift.
/// </summary>
public sealed class SchemaValidator(JsonNode document)
{
    public List<string> Validate(JsonNode? value, JsonNode schema, string path = "$")
    {
        var errors = new List<string>();
        Check(value, schema, path, errors);
        return errors;
    }

    private JsonNode Resolve(JsonNode schema)
    {
        while (schema["$ref"] is { } reference)
        {
            var node = document;
            foreach (var part in ((string)reference!).TrimStart('#', '/').Split('/')) node = node[part] ?? throw new InvalidOperationException($"unresolved {reference}");
            schema = node;
        }
        return schema;
    }

    private void Check(JsonNode? value, JsonNode schema, string path, List<string> errors)
    {
        schema = Resolve(schema);
        if (schema["allOf"] is JsonArray all) foreach (var part in all) Check(value, part!, path, errors);
        if ((schema["anyOf"] ?? schema["oneOf"]) is JsonArray any)
        {
            if (!any.Any(option => Validate(value, option!, path).Count == 0)) errors.Add($"{path}: matches none of anyOf/oneOf: {value?.ToJsonString()}");
            return;
        }

        var types = Types(schema);
        if (value is null || value.GetValueKind() == JsonValueKind.Null)
        {
            if (types.Count > 0 && !types.Contains("null") && schema["nullable"]?.GetValue<bool>() != true) errors.Add($"{path}: null, but not nullable");
            return;
        }
        var kind = KindOf(value);
        if (types.Count > 0 && !types.Contains(kind) && !(kind == "integer" && types.Contains("number")))
        {
            errors.Add($"{path}: a {kind} ({Short(value)}), documented as {string.Join("|", types)}");
            return;
        }
        if (schema["enum"] is JsonArray values && !values.Any(v => JsonNode.DeepEquals(v, value)))
            errors.Add($"{path}: {Short(value)} is not one of {values.ToJsonString()}");
        if (kind == "string") CheckString(value.GetValue<string>(), schema, path, errors);
        if (value is JsonArray array && schema["items"] is { } items)
            for (var i = 0; i < array.Count; i++) Check(array[i], items, $"{path}[{i}]", errors);
        if (value is JsonObject obj) CheckObject(obj, schema, path, errors);
    }

    private void CheckObject(JsonObject obj, JsonNode schema, string path, List<string> errors)
    {
        var properties = schema["properties"] as JsonObject;
        foreach (var required in schema["required"]?.AsArray() ?? [])
            if (!obj.ContainsKey((string)required!)) errors.Add($"{path}: required property '{required}' is missing");
        var additional = schema["additionalProperties"];
        foreach (var (name, child) in obj)
        {
            if (properties?[name] is { } property) Check(child, property, $"{path}.{name}", errors);
            else if (additional is JsonObject extra) Check(child, extra, $"{path}.{name}", errors);
            else if (additional?.GetValueKind() == JsonValueKind.False || (additional is null && properties is not null))
                errors.Add($"{path}: property '{name}' is not in the document");
        }
    }

    private static void CheckString(string text, JsonNode schema, string path, List<string> errors)
    {
        var ok = (string?)schema["format"] switch
        {
            "date-time" => DateTimeOffset.TryParseExact(text, ["yyyy-MM-dd'T'HH:mm:ss'Z'", "yyyy-MM-dd'T'HH:mm:ss.fff'Z'"], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out _),
            "date" => DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _),
            "uuid" => Guid.TryParseExact(text, "D", out _),
            _ => true,
        };
        if (!ok) errors.Add($"{path}: \"{text}\" is not a {schema["format"]}");
        if ((string?)schema["pattern"] is { } pattern && !Regex.IsMatch(text, pattern)) errors.Add($"{path}: \"{text}\" does not match {pattern}");
    }

    private static List<string> Types(JsonNode schema) => schema["type"] switch
    {
        JsonArray list => list.Select(t => (string)t!).ToList(),
        JsonValue one => [(string)one!],
        _ => [],
    };

    private static string KindOf(JsonNode value) => value.GetValueKind() switch
    {
        JsonValueKind.Object => "object",
        JsonValueKind.Array => "array",
        JsonValueKind.String => "string",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        JsonValueKind.Number => value.ToJsonString().Any(c => c is '.' or 'e' or 'E') ? "number" : "integer",
        _ => "null",
    };

    private static string Short(JsonNode value) => value.ToJsonString() is var text && text.Length > 60 ? text[..60] + "…" : text;
}
