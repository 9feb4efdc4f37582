using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.OpenApi;

namespace Wallets.Api.Http.OpenApi;

/// <summary>
/// The Swagger document (`/swagger/v1/swagger.json`), made to describe what goes over the wire: Lago's error bodies
/// (<see cref="OperationConventions"/>), wire types and required fields (<see cref="WireSchemas"/>), summaries from the XML
/// comments of the handlers. `OpenApiConformanceTests` checks real responses against it.
/// </summary>
public static class OpenApiSetup
{
    public const string SecurityScheme = "bearer";

    public static void AddWalletsOpenApi(this IServiceCollection services)
    {
        services.AddEndpointsApiExplorer();
        services.AddSwaggerGen(swagger =>
        {
            swagger.SwaggerDoc("v1", new OpenApiInfo
            {
                Title = "Wallets API", Version = "v1",
                Description = "Lago-compatible prepaid-credit wallets. Decimals travel as strings, timestamps as ISO 8601 UTC strings; "
                    + "lists take `page` and `per_page`; errors are Lago's bodies.",
            });
            swagger.SupportNonNullableReferenceTypes();
            // Decimals travel as strings ("10.5"), as in Lago (LagoJson); the few written as numbers are found by WireSchemas.
            swagger.MapType<decimal>(() => Decimal(nullable: false));
            swagger.MapType<decimal?>(() => Decimal(nullable: true));
            swagger.MapType<DateTimeOffset>(() => Timestamp(nullable: false));
            swagger.MapType<DateTimeOffset?>(() => Timestamp(nullable: true));
            // Free-form JSON: charge and event `properties`, placeholders Lago fills and this service leaves empty.
            swagger.MapType<JsonObject>(() => new OpenApiSchema { Type = JsonSchemaType.Object });
            swagger.MapType<object>(() => new OpenApiSchema { Type = JsonSchemaType.Object });
            swagger.MapType<JsonNode>(() => new OpenApiSchema { Description = "Any JSON value." });
            swagger.MapType<JsonElement>(() => new OpenApiSchema { Description = "Any JSON value." });
            swagger.MapType<JsonElement?>(() => new OpenApiSchema { Description = "Any JSON value." });
            swagger.CustomSchemaIds(type => type.FullName!.Replace('+', '.').Replace("Wallets.Api.Features.", ""));
            swagger.SchemaFilter<WireSchemas>();
            swagger.OperationFilter<OperationConventions>();
            swagger.DocumentFilter<ErrorSchemas>();
            var xml = Path.Combine(AppContext.BaseDirectory, $"{Assembly.GetExecutingAssembly().GetName().Name}.xml");
            if (File.Exists(xml)) swagger.IncludeXmlComments(xml);
            swagger.AddSecurityDefinition(SecurityScheme, new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http, Scheme = "bearer", Description = "Your API key, as `Authorization: Bearer <key>`.",
            });
        });
    }

    private static OpenApiSchema Decimal(bool nullable) => new()
    {
        Type = nullable ? JsonSchemaType.String | JsonSchemaType.Null : JsonSchemaType.String,
        Format = "decimal", Pattern = @"^-?\d+(\.\d+)?$", Example = JsonValue.Create("10.5"),
    };

    private static OpenApiSchema Timestamp(bool nullable) => new()
    {
        Type = nullable ? JsonSchemaType.String | JsonSchemaType.Null : JsonSchemaType.String,
        Format = "date-time", Example = JsonValue.Create("2026-01-15T10:00:00Z"),
    };
}
