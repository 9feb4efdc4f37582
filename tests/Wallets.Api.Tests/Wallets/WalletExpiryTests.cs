using Microsoft.Extensions.DependencyInjection;
using Wallets.Api.Jobs;
using Wallets.Api.Tests.Infrastructure;

namespace Wallets.Api.Tests.Wallets;

public sealed class WalletExpiryTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task An_expired_wallet_is_terminated_by_the_clock_job_and_its_credits_voided_once()
    {
        var client = await api.NewOrganizationClientAsync();
        var expiresAt = api.Clock.GetUtcNow().AddHours(1);
        var wallet = await client.WalletAsync("expiring", new { granted_credits = "10", expiration_at = expiresAt.ToString("O") });
        var lasting = await client.WalletAsync("lasting", new { granted_credits = "10" });
        var job = api.Services.GetRequiredService<WalletExpiryJob>();

        Assert.Equal(0, await job.RunOnceAsync(CancellationToken.None));
        Assert.Equal("active", (string?)(await client.GetWalletAsync(wallet.Id()))["status"]);

        api.Clock.Advance(TimeSpan.FromHours(2));
        var runs = await Task.WhenAll(job.RunOnceAsync(CancellationToken.None), job.RunOnceAsync(CancellationToken.None));
        Assert.Equal(1, runs.Sum());

        var expired = await client.GetWalletAsync(wallet.Id());
        Assert.Equal("terminated", (string?)expired["status"]);
        Assert.Equal(0, (long)expired["balance_cents"]!);
        var voids = (await client.GetJsonAsync($"/api/v1/wallets/{wallet.Id()}/wallet_transactions?transaction_status=voided")).Ok()["wallet_transactions"]!.AsArray();
        Assert.Equal("10.0", (string?)Assert.Single(voids)!["credit_amount"]);
        Assert.Equal("active", (string?)(await client.GetWalletAsync(lasting.Id()))["status"]);
        Assert.Equal(0, await job.RunOnceAsync(CancellationToken.None));
        await LedgerInvariants.AssertAsync(api);
    }

    [Fact]
    public async Task A_wallet_whose_termination_fails_is_counted_and_logged_and_the_others_still_expire()
    {
        var client = await api.NewOrganizationClientAsync();
        var expiresAt = api.Clock.GetUtcNow().AddHours(1);
        var wallets = new List<string>();
        foreach (var name in new[] { "broken", "fine1", "fine2" })
        {
            wallets.Add((await client.WalletAsync(name, new { granted_credits = "10", expiration_at = expiresAt.ToString("O") })).Id());
            expiresAt = expiresAt.AddMinutes(1);
        }
        // The first wallet to expire cannot be changed: its termination throws, every round.
        await api.ScalarAsync<int>($"""
            CREATE FUNCTION refuse_wallet() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused'; END $$;
            CREATE TRIGGER refuse_wallet BEFORE UPDATE ON wallets FOR EACH ROW WHEN (OLD.id = '{wallets[0]}') EXECUTE FUNCTION refuse_wallet();
            SELECT 1
            """);
        using var counters = new MeterCounters(api.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>());
        var job = api.Services.GetRequiredService<WalletExpiryJob>();
        api.Clock.Advance(TimeSpan.FromHours(2));

        Assert.Equal(2, await job.RunOnceAsync(CancellationToken.None));
        Assert.Equal(1, counters["wallets.expiry.failed"]);
        Assert.Equal(2, counters["wallets.expiry.wallets"]);
        Assert.Equal("active", (string?)(await client.GetWalletAsync(wallets[0]))["status"]);
        Assert.Equal("terminated", (string?)(await client.GetWalletAsync(wallets[1]))["status"]);
        Assert.Equal("terminated", (string?)(await client.GetWalletAsync(wallets[2]))["status"]);

        await api.ScalarAsync<int>("DROP TRIGGER refuse_wallet ON wallets; SELECT 1");
        Assert.Equal(1, await job.RunOnceAsync(CancellationToken.None));
        Assert.Equal("terminated", (string?)(await client.GetWalletAsync(wallets[0]))["status"]);
        await LedgerInvariants.AssertAsync(api);
    }
}
