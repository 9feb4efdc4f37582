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
}
