using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using Npgsql;
using Wallets.Api.Tests.Infrastructure;

namespace Wallets.Api.Tests.Processes;

/// <summary>
/// Two real API server processes (`dotnet Wallets.Api.dll` from the build output) on one database, both running their
/// background jobs every second or two on the system clock. Each scenario of <see cref="MultiProcessTests"/> works on
/// rows of its own; a new scenario (webhook delivery, say) is one more test method using <see cref="Clients"/> and
/// <see cref="ScalarAsync{T}"/>.
/// </summary>
public sealed class ServerProcesses : IAsyncLifetime
{
    private readonly List<Process> _processes = [];
    private readonly List<StringWriter> _logs = [];

    public string ConnectionString { get; private set; } = "";
    public string ApiKey { get; } = "wlt_processes_" + Guid.NewGuid().ToString("N");
    public IReadOnlyList<HttpClient> Clients { get; private set; } = [];

    public async Task InitializeAsync()
    {
        ConnectionString = await TestDatabase.CreateAsync();
        var dll = ApiAssembly();
        var ports = new[] { FreePort(), FreePort() };
        foreach (var port in ports) _processes.Add(Start(dll, port));
        Clients = ports.Select(Client).ToList();
        foreach (var (client, i) in Clients.Select((c, i) => (c, i))) await ReadyAsync(client, i);
    }

    /// <summary>The API's own build output next to this test assembly's (same configuration), with its runtime config.</summary>
    private static string ApiAssembly()
    {
        var here = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var (framework, configuration) = (here.Name, here.Parent!.Name);
        var root = here.Parent!.Parent!.Parent!.Parent!.Parent!.FullName;
        var dll = Path.Combine(root, "src", "Wallets.Api", "bin", configuration, framework, "Wallets.Api.dll");
        Assert.True(File.Exists(dll) && File.Exists(Path.ChangeExtension(dll, ".runtimeconfig.json")), $"no built API at {dll}");
        return dll;
    }

    private Process Start(string dll, int port)
    {
        var start = new ProcessStartInfo("dotnet", [dll, "--urls", $"http://127.0.0.1:{port}"])
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        var settings = new Dictionary<string, string>
        {
            ["ConnectionStrings__Wallets"] = ConnectionString, ["Wallets__BootstrapApiKey"] = ApiKey,
            ["Jobs__Enabled"] = "true", ["Jobs__BillingSeconds"] = "2", ["Jobs__BillingBatchSize"] = "2", ["Jobs__ExpirySeconds"] = "1",
            ["Jobs__RecurringTopUpSeconds"] = "1", ["Logging__LogLevel__Default"] = "Warning", ["ASPNETCORE_ENVIRONMENT"] = "Production",
            // A home of its own, as on another machine: nothing kept in files is shared between the processes.
            ["HOME"] = Directory.CreateTempSubdirectory("wallets-process-").FullName,
        };
        foreach (var (name, value) in settings) start.Environment[name] = value;
        var process = Process.Start(start)!;
        var log = new StringWriter();
        _logs.Add(log);
        process.OutputDataReceived += (_, e) => { lock (log) log.WriteLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (log) log.WriteLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private HttpClient Client(int port)
    {
        var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiKey);
        return client;
    }

    private async Task ReadyAsync(HttpClient client, int index)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < TimeSpan.FromSeconds(180))
        {
            Assert.False(_processes[index].HasExited, $"server {index} exited: {Log(index)}");
            try
            {
                if ((await client.GetAsync("/health/ready")).StatusCode == HttpStatusCode.OK) return;
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(200);
        }
        Assert.Fail($"server {index} was not ready in 180 s: {Log(index)}");
    }

    public string Log(int index)
    {
        lock (_logs[index]) return _logs[index].ToString();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public Task<T> ScalarAsync<T>(string sql, params (string Name, object Value)[] parameters) =>
        TestDatabase.ScalarAsync<T>(ConnectionString, sql, parameters);

    /// <summary>Polls <paramref name="done"/> until it holds or <paramref name="limit"/> passes.</summary>
    public static async Task<bool> EventuallyAsync(Func<Task<bool>> done, TimeSpan limit)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < limit)
        {
            if (await done()) return true;
            await Task.Delay(250);
        }
        return await done();
    }

    public async Task DisposeAsync()
    {
        foreach (var client in Clients) client.Dispose();
        foreach (var process in _processes)
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            process.Dispose();
        }
        NpgsqlConnection.ClearAllPools();
        await TestDatabase.DropAsync(ConnectionString);
    }
}
