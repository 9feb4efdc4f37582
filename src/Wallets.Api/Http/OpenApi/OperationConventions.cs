using Microsoft.AspNetCore.Http.Metadata;
using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Wallets.Api.Http.OpenApi;

/// <summary>
/// What every operation documents by the rules that produce it, so an endpoint added later is described without a
/// line of its own: the bearer key, path parameters, `page`/`per_page` on paged lists, and its error answers. Under
/// `/api/v1`: 401 (ApiKeyAuth), 400 (a malformed request or query), 503 (the database unavailable); 404 with a path
/// parameter; on writes 409 and 422 (Idempotency-Key); with a body 413 and 422. Anything else an endpoint answers (a 404 from a body's reference, a 405) it names with
/// <see cref="LagoErrorEndpoints.ProducesLagoErrors"/>.
/// </summary>
public sealed class OperationConventions : IOperationFilter
{
    public const string ApiPrefix = "api/v1/";

    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        var description = context.ApiDescription;
        var path = description.RelativePath ?? "";
        var statuses = new SortedSet<int>(description.ActionDescriptor.EndpointMetadata.OfType<LagoErrorMetadata>().SelectMany(m => m.Statuses));
        if (path.StartsWith(ApiPrefix, StringComparison.Ordinal))
        {
            operation.Security ??= [];
            operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(OpenApiSetup.SecurityScheme, context.Document)] = [] });
            statuses.UnionWith([400, 401, 503]);
            if (path.Contains('{')) statuses.Add(404);
            if (description.HttpMethod is not ("GET" or "HEAD")) statuses.UnionWith([409, 422]);
            if (operation.RequestBody is not null) statuses.UnionWith([413, 422]);
        }

        operation.Responses ??= [];
        // A 200 without a body is ApiExplorer's guess for an endpoint that declared none, unless it declared exactly that.
        var declaredEmpty = context.ApiDescription.ActionDescriptor.EndpointMetadata.OfType<IProducesResponseTypeMetadata>()
            .Any(m => m.StatusCode == 200 && (m.Type is null || m.Type == typeof(void)));
        if (!declaredEmpty && operation.Responses.TryGetValue("200", out var guessed) && guessed.Content is not { Count: > 0 }) operation.Responses.Remove("200");
        foreach (var status in statuses)
        {
            var key = status.ToString(CultureInfo.InvariantCulture);
            if (operation.Responses.ContainsKey(key)) continue;
            var (schema, text) = ErrorSchemas.For(status);
            operation.Responses[key] = new OpenApiResponse
            {
                Description = text,
                Content = new Dictionary<string, OpenApiMediaType>
                {
                    ["application/json"] = new() { Schema = new OpenApiSchemaReference(schema, context.Document) },
                },
            };
        }

        // A route value the handler reads from HttpContext is still a path parameter.
        operation.Parameters ??= [];
        foreach (var name in Regex.Matches(path, @"\{(\w+)[^}]*\}").Select(m => m.Groups[1].Value))
        {
            if (operation.Parameters.Any(p => p.In == ParameterLocation.Path && p.Name == name)) continue;
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = name, In = ParameterLocation.Path, Required = true, Schema = new OpenApiSchema { Type = JsonSchemaType.String },
            });
        }

        if (description.SupportedResponseTypes.Any(r => r.Type?.GetProperty("Meta")?.PropertyType == typeof(PageMeta)))
        {
            operation.Parameters.Add(QueryInteger("page", "The page to return, from 1."));
            operation.Parameters.Add(QueryInteger("per_page", $"Items per page (default {PageRequest.DefaultPerPage})."));
        }
        foreach (var query in description.ActionDescriptor.EndpointMetadata.OfType<QueryParameterMetadata>())
        {
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = query.Name, In = ParameterLocation.Query, Description = query.Description, Required = query.Required,
                Schema = new OpenApiSchema { Type = JsonSchemaType.String },
            });
        }
    }

    private static OpenApiParameter QueryInteger(string name, string text) => new()
    {
        Name = name, In = ParameterLocation.Query, Description = text,
        Schema = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32", Minimum = "1" },
    };
}

/// <summary>A query parameter an endpoint reads from the request itself (so ApiExplorer cannot see it).</summary>
public sealed record QueryParameterMetadata(string Name, string Description, bool Required);

/// <summary>Error statuses an endpoint answers beyond the rules of <see cref="OperationConventions"/>.</summary>
public sealed record LagoErrorMetadata(IReadOnlyList<int> Statuses);

public static class LagoErrorEndpoints
{
    /// <summary>Documents error statuses this endpoint answers beyond the conventions (e.g. 404 for a body's reference, 405).</summary>
    public static RouteHandlerBuilder ProducesLagoErrors(this RouteHandlerBuilder endpoint, params int[] statuses) =>
        endpoint.WithMetadata(new LagoErrorMetadata(statuses));

    /// <summary>Documents a query parameter the handler reads from the request (filters, `at`, ...).</summary>
    public static RouteHandlerBuilder WithQuery(this RouteHandlerBuilder endpoint, string name, string description, bool required = false) =>
        endpoint.WithMetadata(new QueryParameterMetadata(name, description, required));
}
