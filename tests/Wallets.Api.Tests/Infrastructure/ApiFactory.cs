using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Wallets.Api.Data;
using Wallets.Api.Features.Organizations;

namespace Wallets.Api.Tests.Infrastructure;

/// <summary>
/// The real API over HTTP (in-process server) on its own PostgreSQL database, one per test class.
/// Use it as `IClassFixture&lt;ApiFactory&gt;`; a subclass may add settings (<see cref="ConfigureWebHost"/>, calling this one).
/// </summary>
public class ApiFactory : WebApplicationFactory<Program>, IAsyncLifetime
{
    private readonly bool _ownsDatabase = true;

    public ApiFactory()
    {
    }

    private ApiFactory(string connectionString, ManualClock clock) => (ConnectionString, Clock, _ownsDatabase) = (connectionString, clock, false);

    public string ConnectionString { get; private set; } = "";
    public ManualClock Clock { get; } = new(new DateTimeOffset(2026, 1, 15, 10, 0, 0, TimeSpan.Zero));

    public async Task InitializeAsync() => ConnectionString = await TestDatabase.CreateAsync();

    /// <summary>A second API instance (another process, as far as the app can tell) on this one's database and clock; the caller disposes it.</summary>
    public ApiFactory SecondInstance() => new(ConnectionString, Clock);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("ConnectionStrings:Wallets", ConnectionString);
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        builder.UseSetting("Jobs:Enabled", "false");
        builder.UseSetting("Jobs:OngoingBalance", "false");
        builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(Clock));
    }

    /// <summary>A new organization and a client that speaks for it.</summary>
    public async Task<HttpClient> NewOrganizationClientAsync(string name = "test")
    {
        using var scope = Services.CreateScope();
        var (_, key) = await OrganizationSetup.CreateAsync(scope.ServiceProvider.GetRequiredService<WalletsDbContext>(), name, Clock);
        return ClientWithKey(key);
    }

    public HttpClient ClientWithKey(string? key)
    {
        var client = CreateClient();
        if (key is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    /// <summary>Runs SQL against this class's database, for invariant checks and "nothing changed" assertions.</summary>
    public Task<T> ScalarAsync<T>(string sql, params (string Name, object Value)[] parameters) =>
        TestDatabase.ScalarAsync<T>(ConnectionString, sql, parameters);

    async Task IAsyncLifetime.DisposeAsync()
    {
        await base.DisposeAsync();
        if (!_ownsDatabase) return;
        NpgsqlConnection.ClearAllPools();
        await TestDatabase.DropAsync(ConnectionString);
    }
}
