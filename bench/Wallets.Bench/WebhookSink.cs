using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Wallets.Bench;

/// <summary>A webhook receiver in the bench process (Kestrel on loopback) that answers 200 at once and counts what it got.</summary>
public sealed class WebhookSink : IAsyncDisposable
{
    private readonly WebApplication _app;
    private long _received;

    public string Url { get; private set; } = "";
    public long Received => Interlocked.Read(ref _received);

    private WebhookSink()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _app = builder.Build();
        _app.MapPost("/{**path}", async (HttpContext http) =>
        {
            // Read the body, as a real receiver would before answering.
            await http.Request.Body.CopyToAsync(Stream.Null);
            Interlocked.Increment(ref _received);
            return Results.Ok();
        });
    }

    public static async Task<WebhookSink> StartAsync()
    {
        var sink = new WebhookSink();
        await sink._app.StartAsync();
        sink.Url = sink._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return sink;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
