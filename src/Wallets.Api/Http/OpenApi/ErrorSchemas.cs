using System.Text.Json.Nodes;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Wallets.Api.Http.OpenApi;

/// <summary>Lago's error bodies (api-contract.md §1.2, <see cref="LagoError"/>) as named schemas, as Lago's spec names them.</summary>
public sealed class ErrorSchemas : IDocumentFilter
{
    private static readonly Dictionary<int, (string Schema, string Text, OpenApiSchema Body)> ByStatus = new()
    {
        [400] = ("ApiErrorBadRequest", "Bad request: a missing root key, a body that is not JSON, or a malformed query parameter.",
            Body(400, "BadRequest: param is missing or the value is empty or invalid: wallet", code: null)),
        [401] = ("ApiErrorUnauthorized", "Unauthorized: no `Authorization: Bearer <key>`, or an unknown key.", Body(401, "Unauthorized", code: null)),
        [404] = ("ApiErrorNotFound", "Not found: `<resource>_not_found`.", Body(404, "Not Found", "wallet_not_found")),
        [405] = ("ApiErrorNotAllowed", "Not allowed in the resource's current state.", Body(405, "Method Not Allowed", "not_voidable")),
        [409] = ("ApiErrorConflict", "A request with the same `Idempotency-Key` is still running.", Body(409, "Conflict", "idempotency_key_in_use")),
        [413] = ("ApiErrorPayloadTooLarge", "The request body is over the size limit.", Body(413, "Payload Too Large", code: null, codeRequired: false)),
        [422] = ("ApiErrorUnprocessableEntity", "Validation failed: `error_details` maps each field to its error codes "
            + "(for a batch, each item's index to such a map). An `Idempotency-Key` reused with another request is also a 422.", UnprocessableBody()),
        [503] = ("ApiErrorServiceUnavailable", "The database is unavailable; retry after `Retry-After` seconds.", Body(503, "Service Unavailable", code: null)),
    };

    public static (string Schema, string Text) For(int status) =>
        ByStatus.TryGetValue(status, out var known)
            ? (known.Schema, known.Text)
            : throw new ArgumentOutOfRangeException(nameof(status), status, "no Lago error body is defined for this status");

    public void Apply(OpenApiDocument document, DocumentFilterContext context)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        foreach (var (schema, _, body) in ByStatus.Values) document.Components.Schemas[schema] = body;
    }

    private static OpenApiSchema Body(int status, string error, string? code, bool codeRequired = true)
    {
        var schema = new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Required = new HashSet<string> { "status", "error" },
            Properties = new Dictionary<string, IOpenApiSchema>
            {
                ["status"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32", Example = JsonValue.Create(status) },
                ["error"] = new OpenApiSchema { Type = JsonSchemaType.String, Example = JsonValue.Create(error) },
            },
        };
        if (code is not null || !codeRequired)
        {
            schema.Properties["code"] = new OpenApiSchema { Type = JsonSchemaType.String, Example = code is null ? null : JsonValue.Create(code) };
            if (codeRequired) schema.Required.Add("code");
        }
        return schema;
    }

    /// <summary>`error_details` is present for field errors; a refusal whose code says it all (e.g. a payment_url refusal) has none.</summary>
    private static OpenApiSchema UnprocessableBody()
    {
        var schema = Body(422, "Unprocessable Entity", "validation_errors");
        var codes = new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchema { Type = JsonSchemaType.String } };
        schema.Properties!["error_details"] = new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            AdditionalProperties = new OpenApiSchema
            {
                AnyOf = [codes, new OpenApiSchema { Type = JsonSchemaType.Object, AdditionalProperties = codes }],
            },
            Example = new JsonObject { ["paid_credits"] = new JsonArray("invalid_paid_credits") },
        };
        return schema;
    }
}
