using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Wallets.Api.Tests.Infrastructure;

namespace Wallets.Api.Tests.OpenApi;

/// <summary>The document's own promises, for every operation, including those a scenario does not reach.</summary>
public sealed class OpenApiDocumentTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    /// <summary>It never succeeds here: a payment URL needs a payment provider, and this service has none.</summary>
    private static readonly HashSet<string> NoSuccess = ["walletTransactionPaymentUrl"];
    // Lago answers these with an empty 200.
    private static readonly HashSet<string> EmptySuccess = ["deleteAllCustomerWalletAlerts"];

    private async Task<JsonNode> DocumentAsync() => (await api.ClientWithKey(null).GetJsonAsync("/swagger/v1/swagger.json")).Ok();

    private static IEnumerable<(string Path, string Method, JsonNode Operation)> Operations(JsonNode document) =>
        document["paths"]!.AsObject().SelectMany(p => p.Value!.AsObject().Select(o => (p.Key, o.Key, o.Value!)));

    [Fact]
    public async Task Every_api_operation_has_a_summary_its_success_body_the_bearer_key_and_lagos_error_bodies()
    {
        var document = await DocumentAsync();
        var problems = new List<string>();
        foreach (var (path, method, operation) in Operations(document))
        {
            var name = $"{method.ToUpperInvariant()} {path}";
            var responses = operation["responses"]!.AsObject();
            if (string.IsNullOrWhiteSpace((string?)operation["summary"])) problems.Add($"{name}: no summary (an XML comment on its handler)");
            if (string.IsNullOrWhiteSpace((string?)operation["operationId"])) problems.Add($"{name}: no operationId (WithName)");
            var declared = operation["parameters"]?.AsArray().Where(p => (string?)p!["in"] == "path").Select(p => (string?)p!["name"]).ToHashSet() ?? [];
            foreach (var parameter in Regex.Matches(path, @"\{(\w+)\}").Select(m => m.Groups[1].Value))
                if (!declared.Contains(parameter)) problems.Add($"{name}: path parameter {parameter} is not declared");
            var id = (string?)operation["operationId"] ?? "";
            if (!NoSuccess.Contains(id) && !EmptySuccess.Contains(id) && responses["200"]?["content"]?.AsObject().FirstOrDefault().Value?["schema"] is null)
                problems.Add($"{name}: no 200 body schema (Produces<T>)");
            if (NoSuccess.Contains(id) && responses.Any(r => r.Key[0] == '2')) problems.Add($"{name}: a success it never answers");
            if (!path.StartsWith("/api/v1/"))
            {
                if (operation["security"] is JsonArray { Count: > 0 }) problems.Add($"{name}: a padlock on a route that needs no key");
                continue;
            }
            if (operation["security"]?[0]?["bearer"] is null) problems.Add($"{name}: no bearer security");
            foreach (var (status, schema) in new[] { ("400", "ApiErrorBadRequest"), ("401", "ApiErrorUnauthorized"), ("503", "ApiErrorServiceUnavailable") })
                if ((string?)responses[status]?["content"]?["application/json"]?["schema"]?["$ref"] != $"#/components/schemas/{schema}")
                    problems.Add($"{name}: {status} is not documented with {schema}");
            if (path.Contains('{') && responses["404"] is null) problems.Add($"{name}: a path parameter, and no 404");
            if (method != "get" && (responses["409"] is null || responses["422"] is null)) problems.Add($"{name}: a write without 409 and 422 (Idempotency-Key)");
            foreach (var (status, response) in responses.Where(r => r.Key[0] is '4' or '5'))
                if (!((string?)response!["content"]?["application/json"]?["schema"]?["$ref"])!.StartsWith("#/components/schemas/ApiError"))
                    problems.Add($"{name}: {status} is not a Lago error body");
        }
        Assert.Null(document["security"]);
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public async Task No_schema_is_untyped_except_the_values_of_free_form_properties()
    {
        var document = await DocumentAsync();
        var untyped = new List<string>();
        void Walk(JsonNode? node, string where, string? property)
        {
            if (node is JsonArray list)
            {
                for (var i = 0; i < list.Count; i++) Walk(list[i], $"{where}[{i}]", property);
                return;
            }
            if (node is not JsonObject obj) return;
            foreach (var (key, child) in obj)
            {
                if (key is "example" or "examples") continue;
                var isSchema = key is "schema" or "items" or "additionalProperties" || where.EndsWith(".properties") || where.EndsWith(".schemas");
                if (isSchema && child is JsonObject schema && !Typed(schema) && !(key == "additionalProperties" && property == "properties"))
                    untyped.Add($"{where}.{key}");
                Walk(child, $"{where}.{key}", where.EndsWith(".properties") ? key : key == "additionalProperties" ? property : null);
            }
        }
        Walk(document, "$", null);
        Assert.True(untyped.Count == 0, "untyped schemas:\n" + string.Join("\n", untyped));
    }

    private static bool Typed(JsonObject schema) => schema.ContainsKey("type") || schema.ContainsKey("$ref")
        || schema.ContainsKey("anyOf") || schema.ContainsKey("oneOf") || schema.ContainsKey("allOf");

    [Fact]
    public async Task Wire_types_are_documented_as_they_travel()
    {
        var schemas = (await DocumentAsync())["components"]!["schemas"]!;
        string? TypeOf(string schema, string property) => (string?)schemas[schema]!["properties"]![property]!["type"];

        Assert.Equal("number", TypeOf("Taxes.TaxView", "rate"));
        Assert.Equal("number", TypeOf("Invoices.FeeView", "taxes_rate"));
        Assert.Equal("number", TypeOf("Plans.PlanView", "trial_period"));
        Assert.Equal("object", TypeOf("Plans.ChargeView", "properties"));
        Assert.Equal("#/components/schemas/Wallets.RecurringRuleInput",
            (string?)schemas["Wallets.WalletInput"]!["properties"]!["recurring_transaction_rules"]!["items"]!["$ref"]);
        var credits = schemas["Wallets.WalletView"]!["properties"]!["credits_balance"]!;
        Assert.Equal(("string", "decimal", "10.5"), ((string?)credits["type"], (string?)credits["format"], (string?)credits["example"]));
        var created = schemas["Wallets.WalletView"]!["properties"]!["created_at"]!;
        Assert.Equal(("string", "date-time"), ((string?)created["type"], (string?)created["format"]));
        Assert.NotNull(created["example"]);

        // Responses carry every property; requests require what the API refuses without.
        var wallet = schemas["Wallets.WalletView"]!;
        var required = wallet["required"]!.AsArray().Select(r => (string)r!).ToHashSet();
        Assert.Equal(wallet["properties"]!.AsObject().Select(p => p.Key).Where(k => k != "metadata").ToHashSet(), required);
        Assert.Contains("wallet_id", schemas["WalletTransactions.WalletTransactionInput"]!["required"]!.AsArray().Select(r => (string?)r));
        Assert.Contains("wallet", schemas["Wallets.WalletEndpoints.WalletRequest"]!["required"]!.AsArray().Select(r => (string?)r));
        Assert.Null(schemas["Wallets.AppliesToInput"]!["required"]);
        Assert.Equal(JsonValueKind.Array, schemas["ApiErrorUnprocessableEntity"]!["required"]!.GetValueKind());
    }
}
