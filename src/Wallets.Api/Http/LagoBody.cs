using System.Text.Json;

namespace Wallets.Api.Http;

/// <summary>Reads a Lago request body: JSON wrapped in a singular root key (`{"wallet": {...}}`).</summary>
public static class LagoBody
{
    public static async Task<Result<T>> ReadAsync<T>(HttpRequest request, string root)
    {
        var parsed = await ReadDocumentAsync(request);
        if (!parsed.IsOk) return parsed.Error!;
        var document = parsed.Value!;

        using (document)
        {
            // Rails' params.require: a missing or blank root (null, false, "", [], {}) is a 400.
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty(root, out var element)
                || IsBlank(element))
            {
                return LagoError.MissingRoot(root);
            }

            try
            {
                var value = element.Deserialize<T>(LagoJson.Options);
                if (value is null) return LagoError.MissingRoot(root);
                if (value is Input input && element.ValueKind == JsonValueKind.Object)
                    input.Sent = element.EnumerateObject().Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
                return value;
            }
            catch (JsonException e)
            {
                // A value of the wrong type is a field error, never a 500.
                return LagoError.Validation(FieldOf(e.Path), "value_is_invalid");
            }
        }
    }

    /// <summary>The body as a JSON document (the caller disposes it), or a 400 when it is not JSON.</summary>
    public static async Task<Result<JsonDocument>> ReadDocumentAsync(HttpRequest request)
    {
        try
        {
            return await JsonDocument.ParseAsync(request.Body, cancellationToken: request.HttpContext.RequestAborted);
        }
        catch (JsonException)
        {
            return LagoError.BadRequest("the request body is not valid JSON");
        }
    }

    public static bool IsBlank(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Null or JsonValueKind.Undefined or JsonValueKind.False => true,
        JsonValueKind.String => string.IsNullOrWhiteSpace(element.GetString()),
        JsonValueKind.Array => element.GetArrayLength() == 0,
        JsonValueKind.Object => !element.EnumerateObject().Any(),
        _ => false,
    };

    /// <summary>`$.applies_to.fee_types[0]` → `applies_to`.</summary>
    private static string FieldOf(string? path)
    {
        var field = (path ?? "$").TrimStart('$', '.');
        var end = field.IndexOfAny(['.', '[']);
        field = end >= 0 ? field[..end] : field;
        return field.Length == 0 ? "base" : field.Trim('\'', '[', ']');
    }
}
