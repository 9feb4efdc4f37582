using System.Collections.Concurrent;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Wallets.Api.Tests.Infrastructure;

namespace Wallets.Api.Tests.Telemetry;

/// <summary>Every line logged for a request carries its request id and trace id; probes are logged at Debug.</summary>
public sealed class RequestLogScopeTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task A_request_line_carries_the_request_id_and_a_trace_id_and_a_health_probe_is_debug()
    {
        var lines = new ConcurrentQueue<Line>();
        await using var server = api.WithWebHostBuilder(web => web
            .UseSetting("Logging:LogLevel:Wallets.Api.Http.RequestLogging", "Debug")
            .ConfigureServices(services => services.AddLogging(logging => logging.AddProvider(new Capture(lines)))));
        var client = server.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/customers");
        request.Headers.Add("X-Request-Id", "req-42");
        await client.SendAsync(request);
        await client.GetAsync("/health");

        var answered = lines.Where(l => l.Category == "Wallets.Api.Http.RequestLogging").ToList();
        var api401 = Assert.Single(answered, l => l.Message.Contains("/api/v1/customers"));
        Assert.Equal(LogLevel.Information, api401.Level);
        Assert.Equal("req-42", api401.Scope["RequestId"]);
        Assert.Matches("^[0-9a-f]{32}$", api401.Scope["TraceId"]);
        Assert.Equal(LogLevel.Debug, Assert.Single(answered, l => l.Message.Contains("/health")).Level);
    }

    private sealed record Line(string Category, LogLevel Level, string Message, Dictionary<string, string?> Scope);

    /// <summary>Records each line with the properties of every scope around it (later scopes win, as in a JSON log's reader).</summary>
    private sealed class Capture(ConcurrentQueue<Line> lines) : ILoggerProvider, ISupportExternalScope
    {
        private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);
        public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;
        public void Dispose() { }

        private sealed class Logger(Capture owner, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => owner._scopes.Push(state);
            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                var scope = new Dictionary<string, string?>();
                owner._scopes.ForEachScope((value, properties) =>
                {
                    if (value is IEnumerable<KeyValuePair<string, object>> pairs)
                        foreach (var (key, item) in pairs) properties[key] = item?.ToString();
                }, scope);
                owner._lines.Enqueue(new Line(category, logLevel, formatter(state, exception), scope));
            }

        }

        private readonly ConcurrentQueue<Line> _lines = lines;
    }
}
