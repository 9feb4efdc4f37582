using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Npgsql;
using Wallets.Api.Data;
using Wallets.Api.Features.Organizations;
using Wallets.Api.Tests.Infrastructure;

namespace Wallets.Api.Tests.Dashboard;

/// <summary>Run alone, after the other test classes: a browser on a machine busy with parallel tests times out for no fault of the app.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DashboardCollection : ICollectionFixture<DashboardFixture>
{
    public const string Name = "Dashboard in a browser";
}

/// <summary>
/// The real app on a real Kestrel port (a browser cannot reach the in-memory test server) on its own PostgreSQL
/// database, and Debian's chromium driven by Playwright: the system browser, never a downloaded one.
/// </summary>
public sealed class DashboardFixture : IAsyncLifetime
{
    public const string Chromium = "/usr/bin/chromium";

    private static readonly string[] ChromiumArgs =
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ];

    private Server? _server;
    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;
    public string BaseUrl { get; private set; } = "";
    public string ConnectionString { get; private set; } = "";

    public async Task InitializeAsync()
    {
        if (!File.Exists(Chromium)) throw new InvalidOperationException($"{Chromium} is missing: scripts/test.sh installs Debian's chromium.");
        ConnectionString = await TestDatabase.CreateAsync();
        var port = FreePort();
        _server = new Server(ConnectionString, port);
        _server.StartServer();
        BaseUrl = $"http://127.0.0.1:{port}";
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = Chromium, Headless = true, Args = ChromiumArgs });
    }

    /// <summary>A new organization's API key.</summary>
    public async Task<string> NewOrganizationKeyAsync(string name)
    {
        using var scope = _server!.Services.CreateScope();
        var (_, key) = await OrganizationSetup.CreateAsync(scope.ServiceProvider.GetRequiredService<WalletsDbContext>(), name, TimeProvider.System);
        return key;
    }

    /// <summary>An API client for a key, over the same real port the browser uses.</summary>
    public HttpClient ApiClient(string key)
    {
        var client = new HttpClient { BaseAddress = new Uri(BaseUrl) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    /// <summary>A fresh browser context: its own cookies, nobody signed in.</summary>
    public async Task<IBrowserContext> NewContextAsync()
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = BaseUrl, ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        // Generous waits: the machine may be shared with other builds and tests.
        context.SetDefaultTimeout(90_000);
        context.SetDefaultNavigationTimeout(90_000);
        return context;
    }

    /// <summary>A fresh browser context, signed in with the key.</summary>
    public async Task<IPage> SignedInPageAsync(string key)
    {
        var page = await (await NewContextAsync()).NewPageAsync();
        await page.GotoAsync("/");
        await page.FillAsync("input[name=api_key]", key);
        await page.ClickAsync("button:has-text('Sign in')");
        await page.WaitForURLAsync("**/customers");
        return page;
    }

    public async Task<T> ScalarAsync<T>(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>
    /// A full-page screenshot: into the repository's docs/screenshots/ (the README's) when WALLETS_SCREENSHOTS=docs, else
    /// beside the test binaries, so an ordinary run leaves the working tree as it was (the pictures show times and ids).
    /// </summary>
    public static async Task ScreenshotAsync(IPage page, string name)
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "screenshots");
        if (Environment.GetEnvironmentVariable("WALLETS_SCREENSHOTS") == "docs")
        {
            var root = new DirectoryInfo(AppContext.BaseDirectory);
            while (root is not null && !File.Exists(Path.Combine(root.FullName, "Wallets.sln"))) root = root.Parent;
            folder = Path.Combine(root?.FullName ?? throw new InvalidOperationException("no Wallets.sln above the test binaries"), "docs", "screenshots");
        }
        Directory.CreateDirectory(folder);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, name + ".png"), FullPage = true });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        _playwright?.Dispose();
        if (_server is not null) await _server.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        if (ConnectionString.Length > 0) await TestDatabase.DropAsync(ConnectionString);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private sealed class Server : WebApplicationFactory<Program>
    {
        private readonly string _connectionString;

        public Server(string connectionString, int port)
        {
            _connectionString = connectionString;
            UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port));
        }

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseSetting("ConnectionStrings:Wallets", _connectionString);
            builder.UseSetting("Logging:LogLevel:Default", "Warning");
            builder.UseSetting("Jobs:Enabled", "false");
            builder.ConfigureTestServices(_ => { });
        }
    }
}
