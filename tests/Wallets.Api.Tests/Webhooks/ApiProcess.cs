using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Wallets.Api.Tests.Webhooks;

/// <summary>The API as a separate OS process (`dotnet Wallets.Api.dll`), so a test can kill it with SIGKILL mid-flight.</summary>
public sealed class ApiProcess : IAsyncDisposable
{
    private readonly Process _process;

    public string BaseUrl { get; }

    private ApiProcess(Process process, string baseUrl) => (_process, BaseUrl) = (process, baseUrl);

    /// <summary>Runs a command-line mode to its end and returns what it printed.</summary>
    public static async Task<string> RunCommandAsync(string connectionString, params string[] args)
    {
        using var process = Process.Start(Info(connectionString, new Dictionary<string, string>(), args))!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{string.Join(' ', args)} exited with {process.ExitCode}: {output}{await process.StandardError.ReadToEndAsync()}");
        return output;
    }

    /// <summary>Starts the server on a free loopback port and waits until it is ready.</summary>
    public static async Task<ApiProcess> StartAsync(string connectionString, IReadOnlyDictionary<string, string> settings)
    {
        var url = $"http://127.0.0.1:{FreePort()}";
        var process = Process.Start(Info(connectionString, settings, ["--urls", url]))!;
        var server = new ApiProcess(process, url);
        using var http = new HttpClient();
        for (var until = DateTimeOffset.UtcNow.AddSeconds(60); DateTimeOffset.UtcNow < until; await Task.Delay(100))
        {
            if (process.HasExited) throw new Xunit.Sdk.XunitException($"the API exited: {await process.StandardError.ReadToEndAsync()}");
            try
            {
                if ((await http.GetAsync($"{url}/health/ready")).StatusCode == HttpStatusCode.OK) return server;
            }
            catch (HttpRequestException) { }
        }
        await server.DisposeAsync();
        throw new Xunit.Sdk.XunitException("the API did not become ready in 60 s");
    }

    /// <summary>SIGKILL: no shutdown, no flush, nothing in flight is recorded.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    private static ProcessStartInfo Info(string connectionString, IReadOnlyDictionary<string, string> settings, string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { WorkingDirectory = AppContext.BaseDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Wallets.Api.dll"));
        foreach (var arg in args) info.ArgumentList.Add(arg);
        info.Environment["ConnectionStrings__Wallets"] = connectionString;
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (key, value) in settings) info.Environment[key.Replace(":", "__")] = value;
        return info;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited) await KillAsync();
        _process.Dispose();
    }
}
