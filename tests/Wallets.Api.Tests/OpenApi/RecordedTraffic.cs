using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Wallets.Api.Tests.OpenApi;

/// <summary>One exchange as the client saw it.</summary>
public sealed record Exchange(string Method, string Path, int Status, string? ContentType, string Body, string Query = "")
{
    /// <summary>The query's parameter names, decoded (`metadata[plan]`, `status[]`).</summary>
    public IEnumerable<string> QueryNames => Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
        .Select(pair => Uri.UnescapeDataString(pair.Split('=')[0])).Distinct();
}

/// <summary>Records every request a client sends and the answer it gets, to check them against the document afterwards.</summary>
public sealed class RecordedTraffic : DelegatingHandler
{
    public ConcurrentQueue<Exchange> Exchanges { get; } = new();

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        await response.Content.LoadIntoBufferAsync(cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        Exchanges.Enqueue(new Exchange(request.Method.Method, request.RequestUri!.AbsolutePath, (int)response.StatusCode,
            response.Content.Headers.ContentType?.MediaType, body, request.RequestUri.Query));
        return response;
    }
}

/// <summary>
/// The operations of an OpenAPI document, found by a request's method and path: a path template's `{parameter}`
/// matches one segment, and a literal segment wins over a parameter (`/events/batch` before `/events/{transaction_id}`).
/// </summary>
public sealed class OperationTable(JsonNode document)
{
    private readonly List<(string Template, Regex Pattern, int Literals)> _paths = document["paths"]!.AsObject()
        .Select(p => (p.Key, new Regex("^" + Regex.Replace(Regex.Escape(p.Key), @"\\\{[^/]+?}", "[^/]+") + "/?$"),
            p.Key.Split('/').Count(s => !s.StartsWith('{'))))
        .ToList();

    public (string Template, JsonNode? Operation) Find(string method, string path)
    {
        var match = _paths.Where(p => p.Pattern.IsMatch(path)).OrderByDescending(p => p.Literals).Select(p => p.Template).FirstOrDefault();
        return match is null ? ("", null) : (match, document["paths"]![match]![method.ToLowerInvariant()]);
    }
}
