using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Wallets.Api.Tests.Webhooks;

/// <summary>A webhook as received: which path, the headers Lago sends, the raw body, and when.</summary>
public sealed record Received(string Path, string Signature, string Algorithm, string UniqueKey, string Body, DateTimeOffset At);

/// <summary>
/// A real HTTP server (Kestrel on a free loopback port) that records every POST. Each path answers as its behaviour
/// says (200 by default), from the number of the attempt on it: e.g. 500 twice then 200, or hang past the timeout.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, Func<int, Task<int>>> _behaviours = new();
    private readonly ConcurrentDictionary<string, int> _attempts = new();

    public ConcurrentQueue<Received> All { get; } = new();
    public string BaseUrl { get; private set; } = "";

    private WebhookReceiver()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _app = builder.Build();
        _app.MapPost("/{**path}", async (HttpContext http) =>
        {
            var path = http.Request.Path.Value!;
            var body = await new StreamReader(http.Request.Body).ReadToEndAsync();
            var attempt = _attempts.AddOrUpdate(path, 1, (_, n) => n + 1);
            var status = _behaviours.TryGetValue(path, out var behave) ? await behave(attempt) : 200;
            All.Enqueue(new Received(path, http.Request.Headers["X-Lago-Signature"].ToString(), http.Request.Headers["X-Lago-Signature-Algorithm"].ToString(),
                http.Request.Headers["X-Lago-Unique-Key"].ToString(), body, DateTimeOffset.UtcNow));
            return Results.StatusCode(status);
        });
    }

    public static async Task<WebhookReceiver> StartAsync()
    {
        var receiver = new WebhookReceiver();
        await receiver._app.StartAsync();
        receiver.BaseUrl = receiver._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return receiver;
    }

    /// <summary>A fresh path on this receiver, answering as <paramref name="behave"/> says (by attempt number, from 1).</summary>
    public string Url(string path, Func<int, Task<int>>? behave = null)
    {
        path = "/" + path.TrimStart('/');
        if (behave is not null) _behaviours[path] = behave;
        return BaseUrl + path;
    }

    public List<Received> At(string url) => All.Where(r => BaseUrl + r.Path == url).ToList();

    /// <summary>Waits until the requests to <paramref name="url"/> satisfy <paramref name="done"/>, failing after <paramref name="seconds"/>.</summary>
    public async Task<List<Received>> WaitAsync(string url, Func<List<Received>, bool> done, double seconds = 15)
    {
        var until = DateTimeOffset.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var got = At(url);
            if (done(got)) return got;
            if (DateTimeOffset.UtcNow > until) throw new Xunit.Sdk.XunitException($"{url}: after {seconds} s, {got.Count} request(s): {string.Join(" | ", got.Select(g => g.Body))}");
            await Task.Delay(20);
        }
    }

    public Task<List<Received>> WaitForAsync(string url, int count, double seconds = 15) => WaitAsync(url, got => got.Count >= count, seconds);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
