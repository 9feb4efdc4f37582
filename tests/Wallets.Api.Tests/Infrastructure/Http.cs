using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace Wallets.Api.Tests.Infrastructure;

/// <summary>HTTP helpers: send JSON, read the answer as a JSON tree, assert on status.</summary>
public static class Http
{
    public static Task<Reply> PostAsync(this HttpClient client, string path, object body) => client.SendJsonAsync(HttpMethod.Post, path, body);
    public static Task<Reply> PutAsync(this HttpClient client, string path, object body) => client.SendJsonAsync(HttpMethod.Put, path, body);
    public static Task<Reply> PatchAsync(this HttpClient client, string path, object body) => client.SendJsonAsync(HttpMethod.Patch, path, body);

    public static async Task<Reply> GetJsonAsync(this HttpClient client, string path) => await Reply.From(await client.GetAsync(path));
    public static async Task<Reply> DeleteJsonAsync(this HttpClient client, string path) => await Reply.From(await client.DeleteAsync(path));

    public static async Task<Reply> SendJsonAsync(this HttpClient client, HttpMethod method, string path, object body, string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(method, path)
        {
            Content = body is string raw ? new StringContent(raw, Encoding.UTF8, "application/json") : JsonContent.Create(body),
        };
        if (idempotencyKey is not null) request.Headers.Add("Idempotency-Key", idempotencyKey);
        return await Reply.From(await client.SendAsync(request));
    }
}

public sealed record Reply(HttpStatusCode Status, JsonNode? Json, string Text, HttpResponseMessage Message)
{
    public static async Task<Reply> From(HttpResponseMessage message)
    {
        var text = await message.Content.ReadAsStringAsync();
        JsonNode? json = null;
        try { json = text.Length > 0 ? JsonNode.Parse(text) : null; } catch (System.Text.Json.JsonException) { }
        return new Reply(message.StatusCode, json, text, message);
    }

    public JsonNode this[string key] => Json?[key] ?? throw new Xunit.Sdk.XunitException($"no '{key}' in {Status}: {Text}");

    /// <summary>Asserts the status and returns the body, with the body in the failure message.</summary>
    public JsonNode Expect(HttpStatusCode status)
    {
        Assert.True(Status == status, $"expected {(int)status}, got {(int)Status}: {Text}");
        return Json!;
    }

    public JsonNode Ok() => Expect(HttpStatusCode.OK);

    /// <summary>Asserts Lago's exact 422 body with these field codes.</summary>
    public void ExpectValidation(string field, params string[] codes)
    {
        var body = Expect(HttpStatusCode.UnprocessableEntity);
        Assert.Equal(422, (int)body["status"]!);
        Assert.Equal("Unprocessable Entity", (string?)body["error"]);
        Assert.Equal("validation_errors", (string?)body["code"]);
        var got = body["error_details"]?[field]?.AsArray().Select(c => (string?)c).ToArray();
        Assert.True(got is not null, $"no error_details.{field} in {Text}");
        foreach (var code in codes) Assert.Contains(code, got);
    }

    /// <summary>Asserts Lago's exact 404 body.</summary>
    public void ExpectNotFound(string resource) =>
        Assert.Equal($$"""{"status":404,"error":"Not Found","code":"{{resource}}_not_found"}""", Expect(HttpStatusCode.NotFound).ToJsonString());
}
