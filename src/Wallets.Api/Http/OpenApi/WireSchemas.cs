using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Wallets.Api.Http.OpenApi;

/// <summary>
/// Each object schema as <see cref="LagoJson"/> writes it. A response object carries every property on the wire (nulls
/// included), so all are required, except those ignored when null. A request body (an <see cref="Input"/> or a type
/// named `…Input`) requires what its `[Required]` members say. Decimals written by <see cref="DecimalAsNumber"/> are
/// numbers, and a member whose CLR type is looser than its JSON names the real one with <see cref="WireTypeAttribute"/>.
/// </summary>
public sealed class WireSchemas : ISchemaFilter
{
    // A copy that resolves metadata on its own, so reading it never locks or races the options the API serializes with.
    private static readonly JsonSerializerOptions Json = new(LagoJson.Options) { TypeInfoResolver = new DefaultJsonTypeInfoResolver() };

    public void Apply(IOpenApiSchema schema, SchemaFilterContext context)
    {
        if (schema is not OpenApiSchema { Properties.Count: > 0 } target || context.Type is not { IsClass: true } type) return;
        var info = Json.GetTypeInfo(type);
        if (info.Kind != JsonTypeInfoKind.Object) return;

        var isRequest = typeof(Input).IsAssignableFrom(type) || type.Name.Contains("Input", StringComparison.Ordinal);
        foreach (var property in info.Properties)
        {
            if (!target.Properties.ContainsKey(property.Name) || property.AttributeProvider is not MemberInfo member) continue;
            if (member.GetCustomAttribute<WireTypeAttribute>() is { } wire)
                target.Properties[property.Name] = wire.Types is [var one]
                    ? context.SchemaGenerator.GenerateSchema(one, context.SchemaRepository)
                    : new OpenApiSchema { AnyOf = [.. wire.Types.Select(t => context.SchemaGenerator.GenerateSchema(t, context.SchemaRepository))] };
            else if (member.GetCustomAttribute<JsonConverterAttribute>()?.ConverterType == typeof(DecimalAsNumber))
                target.Properties[property.Name] = Number(Nullable.GetUnderlyingType(property.PropertyType) is not null);

            var ignoredWhenNull = member.GetCustomAttribute<JsonIgnoreAttribute>() is { Condition: not JsonIgnoreCondition.Never };
            if (!isRequest && !ignoredWhenNull) (target.Required ??= new HashSet<string>()).Add(property.Name);
        }
    }

    private static OpenApiSchema Number(bool nullable) => new()
    {
        Type = nullable ? JsonSchemaType.Number | JsonSchemaType.Null : JsonSchemaType.Number,
        Description = "A decimal, written as a JSON number (as Lago does).", Example = JsonValue.Create(20.5m),
    };
}

/// <summary>
/// The JSON a member takes or gives, where its CLR type is looser (a raw <c>JsonElement</c> parsed later): the schema
/// of that type, or any of those types.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class WireTypeAttribute(params Type[] types) : Attribute
{
    public IReadOnlyList<Type> Types { get; } = types;
}
