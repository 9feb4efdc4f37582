using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using YamlDotNet.RepresentationModel;

namespace Wallets.Api.Tests.Webhooks;

/// <summary>
/// Lago's OpenAPI spec (`tests/lago/openapi.yaml`, Lago's published 1.51 spec kept with the tests, found by walking up from the
/// test's directory, or LAGO_OPENAPI), and a checker for the subset of JSON Schema its `webhooks:` bodies use:
/// $ref, type (with null), enum, required, properties, items, oneOf/anyOf/allOf, and the uuid and date-time formats.
/// Two readings follow what Lago itself sends where its spec says otherwise: a property the schema does not require
/// may be null (the spec marks few fields nullable, and Lago's serializers send null for every unset one), and
/// <see cref="NotSentByLago"/> lists the required fields Lago's own serializers no longer send.
/// </summary>
public sealed class LagoWebhookSchemas
{
    private readonly JsonNode _spec;

    /// <summary>Required in the spec, absent from Lago's serializer: WalletObject's deprecated `balance` (V1::WalletSerializer has none).</summary>
    private static readonly HashSet<string> NotSentByLago = ["wallet.balance"];

    private LagoWebhookSchemas(JsonNode spec) => _spec = spec;

    public static LagoWebhookSchemas Load()
    {
        var path = Environment.GetEnvironmentVariable("LAGO_OPENAPI") is { Length: > 0 } given ? given : Find();
        var yaml = new YamlStream();
        using (var reader = File.OpenText(path)) yaml.Load(reader);
        return new LagoWebhookSchemas(ToJson(yaml.Documents[0].RootNode)!);
    }

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            // The copy kept with the tests (tests/lago), else the project's shared reference folder.
            foreach (var candidate in new[] { Path.Combine(dir.FullName, "tests", "lago", "openapi.yaml"), Path.Combine(dir.FullName, "shared", "lago", "openapi.yaml") })
                if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException("Lago's openapi.yaml was not found above the test directory (tests/lago/openapi.yaml); set LAGO_OPENAPI.");
    }

    /// <summary>
    /// The request body schema Lago documents for this webhook type; for a type its `webhooks:` section does not list
    /// (wallet.created, …), the body of another webhook with the same object type (wallet.depleted_ongoing_balance's).
    /// </summary>
    public JsonNode BodySchema(string webhookType, string objectType)
    {
        var bodies = _spec["webhooks"]!.AsObject().Select(w => w.Value!["post"]!["requestBody"]!["content"]!["application/json"]!["schema"]!).ToList();
        bool Has(JsonNode body, string field, string value) => body["properties"]?[field]?["enum"]?.AsArray().Any(v => (string?)v == value) == true;
        if (bodies.FirstOrDefault(b => Has(b, "webhook_type", webhookType)) is { } exact) return exact;
        var sibling = bodies.FirstOrDefault(b => Has(b, "object_type", objectType)) ?? throw new Xunit.Sdk.XunitException($"no schema for {webhookType}");
        return new JsonObject
        {
            ["type"] = "object",
            ["required"] = new JsonArray("webhook_type", "object_type", "organization_id", objectType),
            ["properties"] = new JsonObject
            {
                ["object_type"] = sibling["properties"]!["object_type"]!.DeepClone(),
                ["organization_id"] = sibling["properties"]!["organization_id"]!.DeepClone(),
                [objectType] = sibling["properties"]![objectType]!.DeepClone(),
            },
        };
    }

    /// <summary>Where the value breaks the schema; empty when it fits.</summary>
    public List<string> Check(JsonNode schema, JsonNode? value, string path = "$")
    {
        var errors = new List<string>();
        Walk(schema, value, path, errors);
        return errors;
    }

    private void Walk(JsonNode schema, JsonNode? value, string path, List<string> errors)
    {
        if (schema["$ref"] is { } reference)
        {
            var target = ((string)reference!).TrimStart('#', '/').Split('/').Aggregate((JsonNode?)_spec, (node, key) => node?[key]);
            Walk(target ?? throw new Xunit.Sdk.XunitException($"unresolved {reference}"), value, path, errors);
            return;
        }
        foreach (var part in schema["allOf"]?.AsArray() ?? []) Walk(part!, value, path, errors);
        foreach (var keyword in new[] { "oneOf", "anyOf" })
        {
            if (schema[keyword] is not JsonArray options) continue;
            if (!options.Any(o => Check(o!, value, path).Count == 0)) errors.Add($"{path}: fits none of {keyword}");
        }
        var kind = Kind(value);
        var types = schema["type"] switch
        {
            JsonArray many => many.Select(t => (string)t!).ToList(),
            JsonValue one => [(string)one!],
            _ => null,
        };
        if (schema["nullable"]?.GetValue<bool>() == true) types?.Add("null");
        if (types is not null && !types.Contains(kind) && !(kind == "integer" && types.Contains("number")))
        {
            errors.Add($"{path}: {kind} where {string.Join("|", types)} is expected ({value?.ToJsonString()})");
            return;
        }
        if (schema["enum"] is JsonArray allowed && value is not null && !allowed.Any(a => JsonNode.DeepEquals(a, value)))
            errors.Add($"{path}: {value.ToJsonString()} is not one of {allowed.ToJsonString()}");
        if (kind == "string" && (string?)schema["format"] is { } format)
        {
            var text = (string)value!;
            if (format == "uuid" && !Guid.TryParse(text, out _)) errors.Add($"{path}: {text} is no uuid");
            if (format == "date-time" && !DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, out _)) errors.Add($"{path}: {text} is no date-time");
        }
        if (value is JsonObject obj)
        {
            var required = schema["required"]?.AsArray().Select(r => (string)r!).ToHashSet() ?? [];
            var owner = path[(path.LastIndexOf('.') + 1)..];
            foreach (var name in required)
                if (!obj.ContainsKey(name) && !NotSentByLago.Contains($"{owner}.{name}")) errors.Add($"{path}: no required {name}");
            foreach (var (name, property) in schema["properties"]?.AsObject() ?? [])
                if (obj.TryGetPropertyValue(name, out var field) && (field is not null || required.Contains(name))) Walk(property!, field, $"{path}.{name}", errors);
        }
        if (value is JsonArray array && schema["items"] is { } items)
            for (var i = 0; i < array.Count; i++) Walk(items, array[i], $"{path}[{i}]", errors);
    }

    private static string Kind(JsonNode? value) => value switch
    {
        null => "null",
        JsonObject => "object",
        JsonArray => "array",
        _ => value.GetValueKind() switch
        {
            JsonValueKind.String => "string",
            JsonValueKind.True or JsonValueKind.False => "boolean",
            JsonValueKind.Number => decimal.TryParse(value.ToJsonString(), CultureInfo.InvariantCulture, out var d) && d == decimal.Truncate(d) ? "integer" : "number",
            _ => "null",
        },
    };

    private static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(c => KeyValuePair.Create(((YamlScalarNode)c.Key).Value!, ToJson(c.Value)))),
        YamlSequenceNode list => new JsonArray(list.Children.Select(ToJson).ToArray()),
        YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain } plain => Plain(plain.Value),
        YamlScalarNode scalar => JsonValue.Create(scalar.Value),
        _ => null,
    };

    private static JsonNode? Plain(string? text) => text switch
    {
        null or "null" or "~" or "" => null,
        "true" => JsonValue.Create(true),
        "false" => JsonValue.Create(false),
        _ when decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) => JsonValue.Create(number),
        _ => JsonValue.Create(text),
    };
}
