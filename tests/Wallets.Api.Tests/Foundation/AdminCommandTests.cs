using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Wallets.Api.Data;
using Wallets.Api.Features.Organizations;
using Wallets.Api.Tests.Infrastructure;

namespace Wallets.Api.Tests.Foundation;

/// <summary>The command-line modes `organizations create|list` and `api-keys create|list|revoke`, and `create-organization`.</summary>
public sealed class AdminCommandTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private async Task<(int Code, string[] Lines)> RunAsync(params string[] args)
    {
        using var scope = api.Services.CreateScope();
        var output = new StringWriter();
        var code = await new AdminCommands(scope.ServiceProvider.GetRequiredService<WalletsDbContext>(), api.Clock, output).RunAsync(args);
        return (code, output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }

    private static string KeyOf(string[] lines) => lines.Single(l => l.StartsWith("API key: ", StringComparison.Ordinal))["API key: ".Length..];

    private static async Task<HttpStatusCode> StatusAsync(ApiFactory api, string key) => (await api.ClientWithKey(key).GetAsync("/api/v1/customers")).StatusCode;

    [Fact]
    public async Task Organizations_are_created_and_listed_with_their_live_keys()
    {
        var name = "org-" + Guid.NewGuid().ToString("N")[..8];
        var (code, lines) = await RunAsync("organizations", "create", name);
        Assert.Equal(0, code);
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(api, KeyOf(lines)));

        var (listed, rows) = await RunAsync("organizations", "list");
        Assert.Equal(0, listed);
        Assert.Equal("id\tname\tcreated_at\tactive_keys", rows[0]);
        var row = rows.Single(r => r.Split('\t')[1] == name).Split('\t');
        Assert.True(Guid.TryParse(row[0], out _));
        Assert.Equal("1", row[3]);
    }

    [Fact]
    public async Task Keys_are_created_listed_by_prefix_and_revoked_and_only_their_hash_is_stored()
    {
        var name = "keys-" + Guid.NewGuid().ToString("N")[..8];
        await RunAsync("organizations", "create", name);
        var (code, lines) = await RunAsync("api-keys", "create", name, "billing service");
        Assert.Equal(0, code);
        var key = KeyOf(lines);
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(api, key));
        Assert.Equal(0L, await api.ScalarAsync<long>("SELECT count(*) FROM api_keys WHERE key_hash = @k OR prefix = @k OR name = @k", ("k", key)));

        var (_, rows) = await RunAsync("api-keys", "list", name);
        Assert.Equal("id\torganization\tname\tprefix\tcreated_at\tlast_used_at\trevoked_at", rows[0]);
        var row = rows.Single(r => r.Split('\t')[2] == "billing service").Split('\t');
        Assert.Equal(key[..10], row[3]);
        Assert.Equal(name, row[1]);
        Assert.Equal("-", row[6]);
        Assert.Equal(3, rows.Length);

        var (revoked, _) = await RunAsync("api-keys", "revoke", key[..10]);
        Assert.Equal(0, revoked);
        for (var i = 0; i < 50 && await StatusAsync(api, key) != HttpStatusCode.Unauthorized; i++) await Task.Delay(20);
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(api, key));
        var after = (await RunAsync("api-keys", "list", name)).Lines.Single(r => r.Split('\t')[2] == "billing service").Split('\t');
        Assert.NotEqual("-", after[6]);
        Assert.Equal(1, (await RunAsync("api-keys", "revoke", key[..10])).Code);
    }

    [Fact]
    public async Task Unknown_or_ambiguous_names_fail_and_bad_usage_prints_the_usage()
    {
        await RunAsync("organizations", "create", "twin");
        await RunAsync("organizations", "create", "twin");
        Assert.Equal(1, (await RunAsync("api-keys", "create", "twin")).Code);
        Assert.Equal(1, (await RunAsync("api-keys", "create", Guid.NewGuid().ToString())).Code);
        Assert.Equal(1, (await RunAsync("api-keys", "revoke", Guid.NewGuid().ToString())).Code);
        var (code, lines) = await RunAsync("api-keys", "frobnicate");
        Assert.Equal(2, code);
        Assert.StartsWith("usage:", lines[0]);
        Assert.Equal(2, (await RunAsync("organizations", "create")).Code);
    }

    [Fact]
    public async Task Create_organization_still_works()
    {
        var (code, lines) = await RunAsync("create-organization", "legacy");
        Assert.Equal(0, code);
        Assert.StartsWith("Organization legacy (", lines[0]);
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(api, KeyOf(lines)));
    }
}
