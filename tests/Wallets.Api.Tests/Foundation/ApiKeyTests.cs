using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Wallets.Api.Data;
using Wallets.Api.Features.Organizations;
using Wallets.Api.Http;
using Wallets.Api.Tests.Infrastructure;

namespace Wallets.Api.Tests.Foundation;

/// <summary>
/// Only `Bearer &lt;key&gt;` passes; unknown keys cost one query, not one per request; a revoked key is refused by every
/// API process within a second, through the database's notifications, even after the listener lost its connection.
/// </summary>
public sealed class ApiKeyTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private async Task<(string Key, Guid Id)> NewKeyAsync()
    {
        using var scope = api.Services.CreateScope();
        var (organization, key) = await OrganizationSetup.CreateAsync(scope.ServiceProvider.GetRequiredService<WalletsDbContext>(), "keys", api.Clock);
        var id = await api.ScalarAsync<Guid>("SELECT id FROM api_keys WHERE key_hash = @h", ("h", ApiKeyAuth.Hash(key)));
        _ = organization;
        return (key, id);
    }

    private static async Task<HttpStatusCode> StatusAsync(HttpClient client, string authorization)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/customers");
        request.Headers.TryAddWithoutValidation("Authorization", authorization);
        return (await client.SendAsync(request)).StatusCode;
    }

    /// <summary>Waits until the instance's listener is connected, so its caches are in use.</summary>
    private static async Task ListeningAsync(ApiFactory instance)
    {
        var auth = instance.Services.GetRequiredService<ApiKeyAuth>();
        for (var i = 0; i < 100 && !auth.Trusted; i++) await Task.Delay(50);
        Assert.True(auth.Trusted, "the API key listener did not connect");
    }

    /// <summary>Polls until <paramref name="client"/> is refused with this key; returns how long it took.</summary>
    private static async Task<TimeSpan> RefusedWithinAsync(HttpClient client, string key, TimeSpan limit)
    {
        var watch = Stopwatch.StartNew();
        while (await StatusAsync(client, $"Bearer {key}") != HttpStatusCode.Unauthorized)
        {
            Assert.True(watch.Elapsed < limit, $"the key was still accepted after {watch.Elapsed}");
            await Task.Delay(20);
        }
        return watch.Elapsed;
    }

    [Theory]
    [InlineData("Basic {0}"), InlineData("Foo {0}"), InlineData("Bearer {0} extra"), InlineData("{0}"), InlineData("Bearer{0}"), InlineData("Bearer {0},x")]
    public async Task Only_the_bearer_scheme_with_one_token_passes(string template)
    {
        var (key, _) = await NewKeyAsync();
        var client = api.ClientWithKey(null);
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(client, template.Replace("{0}", key)));
        foreach (var scheme in new[] { "Bearer", "bearer", "BEARER", "bEaReR" })
            Assert.Equal(HttpStatusCode.OK, await StatusAsync(client, $"{scheme} {key}"));
    }

    [Fact]
    public async Task An_unknown_key_costs_one_lookup_however_often_it_is_sent()
    {
        await ListeningAsync(api);
        using var counters = new MeterCounters(api.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>());
        var client = api.ClientWithKey("wlt_unknown_" + Guid.NewGuid().ToString("N"));
        for (var i = 0; i < 50; i++) Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/v1/customers")).StatusCode);
        Assert.Equal(1, counters["wallets.auth.key_lookups"]);
    }

    [Fact]
    public async Task A_key_made_after_it_was_refused_as_unknown_is_accepted_within_a_second()
    {
        await ListeningAsync(api);
        var key = "wlt_later_" + Guid.NewGuid().ToString("N");
        var client = api.ClientWithKey(key);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/v1/customers")).StatusCode);
        var (_, other) = await NewKeyAsync();
        await api.ScalarAsync<int>("""
            INSERT INTO api_keys (id, organization_id, key_hash, name, prefix, created_at)
            SELECT gen_random_uuid(), organization_id, @h, 'later', 'wlt_', now() FROM api_keys WHERE id = @o RETURNING 1
            """, ("h", ApiKeyAuth.Hash(key)), ("o", other));
        var watch = Stopwatch.StartNew();
        while ((await client.GetAsync("/api/v1/customers")).StatusCode != HttpStatusCode.OK)
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1), "the new key was still refused after a second");
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task A_revoked_key_is_refused_by_another_api_process_within_a_second()
    {
        await using var second = api.SecondInstance();
        await ListeningAsync(api);
        await ListeningAsync(second);
        var (key, id) = await NewKeyAsync();
        var (first, other) = (api.ClientWithKey(null), second.ClientWithKey(null));
        // Both instances have the key cached as known.
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, await StatusAsync(first, $"Bearer {key}"));
            Assert.Equal(HttpStatusCode.OK, await StatusAsync(other, $"Bearer {key}"));
        }

        using (var scope = api.Services.CreateScope())
        {
            var output = new StringWriter();
            var commands = new AdminCommands(scope.ServiceProvider.GetRequiredService<WalletsDbContext>(), api.Clock, output);
            Assert.Equal(0, await commands.RunAsync(["api-keys", "revoke", id.ToString()]));
        }
        await RefusedWithinAsync(other, key, TimeSpan.FromSeconds(1));
        await RefusedWithinAsync(first, key, TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task A_listener_that_lost_its_connection_reconnects_and_revocations_meanwhile_still_count()
    {
        await ListeningAsync(api);
        var (key, id) = await NewKeyAsync();
        var client = api.ClientWithKey(null);
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(client, $"Bearer {key}"));

        var database = new Npgsql.NpgsqlConnectionStringBuilder(api.ConnectionString).Database!;
        Assert.Equal(1L, await api.ScalarAsync<long>(
            "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = @a AND datname = @d) t",
            ("a", ApiKeyListener.ApplicationName), ("d", database)));
        await api.ScalarAsync<int>("WITH u AS (UPDATE api_keys SET revoked_at = now() WHERE id = @id RETURNING 1) SELECT count(*)::int FROM u", ("id", id));
        await RefusedWithinAsync(client, key, TimeSpan.FromSeconds(1));
        await ListeningAsync(api);
    }

    [Fact]
    public async Task Last_used_at_is_written_off_the_request_path_at_most_once_a_minute()
    {
        var (key, id) = await NewKeyAsync();
        var client = api.ClientWithKey(key);
        async Task<DateTime?> LastUsedAsync() => await api.ScalarAsync<object>("SELECT last_used_at FROM api_keys WHERE id = @id", ("id", id)) as DateTime?;
        async Task<DateTime?> WaitForChangeAsync(DateTime? from)
        {
            for (var i = 0; i < 100; i++)
            {
                if (await LastUsedAsync() is { } at && at != from) return at;
                await Task.Delay(20);
            }
            return await LastUsedAsync();
        }

        (await client.GetAsync("/api/v1/customers")).EnsureSuccessStatusCode();
        var first = await WaitForChangeAsync(null);
        Assert.InRange(api.Clock.GetUtcNow().UtcDateTime - first!.Value, TimeSpan.Zero, TimeSpan.FromSeconds(1));

        api.Clock.Advance(TimeSpan.FromSeconds(30));
        (await client.GetAsync("/api/v1/customers")).EnsureSuccessStatusCode();
        await Task.Delay(300);
        Assert.Equal(first, await LastUsedAsync());

        api.Clock.Advance(TimeSpan.FromSeconds(31));
        (await client.GetAsync("/api/v1/customers")).EnsureSuccessStatusCode();
        var second = await WaitForChangeAsync(first);
        Assert.InRange(second!.Value - first.Value, TimeSpan.FromSeconds(61), TimeSpan.FromSeconds(62));
    }
}
