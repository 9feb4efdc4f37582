using System.Collections;
using System.Diagnostics;

namespace Wallets.Api.Http;

/// <summary>
/// One structured log line per request, tagged with a request id that is also returned as `X-Request-Id`. Every line
/// logged while the request runs carries that id (a logging scope) and its trace id (ASP.NET Core's activity scope);
/// the JSON console format shows both. Health probes and metric scrapes are logged at Debug, everything else at Information.
/// </summary>
public sealed partial class RequestLogging(RequestDelegate next, ILogger<RequestLogging> logger)
{
    public const string Header = "X-Request-Id";

    public async Task InvokeAsync(HttpContext context)
    {
        var incoming = context.Request.Headers[Header].ToString();
        var requestId = incoming.Length is > 0 and <= 128 ? incoming : Guid.NewGuid().ToString("N");
        context.TraceIdentifier = requestId;
        context.Response.Headers[Header] = requestId;

        var started = Stopwatch.GetTimestamp();
        using (logger.BeginScope(new RequestScope(requestId)))
        {
            try
            {
                await next(context);
            }
            finally
            {
                var path = context.Request.Path;
                var level = path.StartsWithSegments("/health") || path.StartsWithSegments("/metrics") ? LogLevel.Debug : LogLevel.Information;
                if (logger.IsEnabled(level))
                    Answered(logger, level, context.Request.Method, path.Value, context.Response.StatusCode, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        }
    }

    [LoggerMessage("{Method} {Path} answered {StatusCode} in {ElapsedMs:0.0} ms")]
    private static partial void Answered(ILogger logger, LogLevel level, string method, string? path, int statusCode, double elapsedMs);

    /// <summary>The scope's one property, without a dictionary per request.</summary>
    private sealed class RequestScope(string requestId) : IReadOnlyList<KeyValuePair<string, object>>
    {
        public int Count => 1;
        public KeyValuePair<string, object> this[int index] => index == 0 ? new("RequestId", requestId) : throw new ArgumentOutOfRangeException(nameof(index));
        public IEnumerator<KeyValuePair<string, object>> GetEnumerator() { yield return this[0]; }
        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
        public override string ToString() => $"RequestId:{requestId}";
    }
}
