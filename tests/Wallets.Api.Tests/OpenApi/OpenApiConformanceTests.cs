using System.Text.Json.Nodes;
using Wallets.Api.Tests.Infrastructure;

namespace Wallets.Api.Tests.OpenApi;

/// <summary>The Swagger document against what the API really answers, so the two cannot drift apart.</summary>
public sealed class OpenApiConformanceTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Every_answer_of_a_realistic_scenario_is_documented_and_matches_its_schema()
    {
        var document = (await api.ClientWithKey(null).GetJsonAsync("/swagger/v1/swagger.json")).Ok();
        var traffic = new RecordedTraffic();
        var key = (await api.NewOrganizationClientAsync()).DefaultRequestHeaders.Authorization;

        var surprises = ConformanceScenario.Expectations();
        await ConformanceScenario.RunAsync(api, api.Recorded(traffic, key), api.Recorded(traffic, null));
        Assert.True(surprises.Count == 0, string.Join("\n", surprises));

        var operations = new OperationTable(document);
        var validator = new SchemaValidator(document);
        var problems = new List<string>();
        var seen = new HashSet<string>();
        foreach (var exchange in traffic.Exchanges)
        {
            var (template, operation) = operations.Find(exchange.Method, exchange.Path);
            var name = $"{exchange.Method} {template} → {exchange.Status}";
            if (operation is null)
            {
                problems.Add($"{exchange.Method} {exchange.Path}: no such operation in the document");
                continue;
            }
            seen.Add($"{exchange.Method} {template}");
            // Every query parameter sent is documented (`metadata[key]` stands for any key).
            var documented = operation["parameters"]?.AsArray().Where(p => (string?)p!["in"] == "query").Select(p => (string)p!["name"]!).ToHashSet() ?? [];
            foreach (var query in exchange.QueryNames.Where(q => !documented.Contains(q) && !(q.StartsWith("metadata[") && documented.Contains("metadata[key]"))))
                problems.Add($"{exchange.Method} {template}: query parameter `{query}` not documented");
            if (operation["responses"]?[exchange.Status.ToString()] is not { } response)
            {
                problems.Add($"{name}: status not documented ({exchange.Body})");
                continue;
            }
            var content = response["content"]?.AsObject();
            if (content is null || content.Count == 0)
            {
                if (exchange.Body.Length > 0) problems.Add($"{name}: a body, where the document has none");
                continue;
            }
            if (content[exchange.ContentType ?? ""]?["schema"] is not { } schema)
            {
                problems.Add($"{name}: answered {exchange.ContentType}, documented {string.Join(", ", content.Select(c => c.Key))}");
                continue;
            }
            // A JSON body is checked as JSON; any other documented media type (the public key's text/plain) as a string.
            var body = exchange.ContentType == "application/json" ? JsonNode.Parse(exchange.Body) : JsonValue.Create(exchange.Body);
            problems.AddRange(validator.Validate(body, schema).Select(e => $"{name}: {e}"));
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems.Distinct().Take(60)));
        var missed = AllOperations(document).Except(seen).ToList();
        Assert.True(missed.Count == 0, "operations the scenario never called (add a call to ConformanceScenario):\n" + string.Join("\n", missed));
    }

    private static IEnumerable<string> AllOperations(JsonNode document) =>
        document["paths"]!.AsObject().SelectMany(p => p.Value!.AsObject().Select(o => $"{o.Key.ToUpperInvariant()} {p.Key}"));
}
