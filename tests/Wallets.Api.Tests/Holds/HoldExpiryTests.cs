using Microsoft.Extensions.DependencyInjection;
using Wallets.Api.Jobs;
using Wallets.Api.Tests.Infrastructure;

namespace Wallets.Api.Tests.Holds;

/// <summary>A hold stops holding the instant it expires: reads and writes see it expired before the job records it.</summary>
public sealed class HoldExpiryTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private Task<int> RunJobAsync() => api.Services.GetRequiredService<HoldExpiryJob>().RunOnceAsync(default);

    private Task<string> StoredStatusAsync(string hold) => api.ScalarAsync<string>("SELECT status FROM holds WHERE id = @h", ("h", Guid.Parse(hold)));

    [Fact]
    public async Task Past_its_expiry_a_hold_reads_expired_cannot_be_captured_and_its_credits_are_spendable_before_the_job()
    {
        var client = await api.NewOrganizationClientAsync();
        var wallet = await client.CustomerWithWalletAsync("expiring", ("granted_credits", "10"));
        var expiresAt = api.Clock.GetUtcNow().AddMinutes(10);
        var hold = await client.HeldAsync(wallet, "10", "slow-job", expiresAt);
        api.Clock.Advance(TimeSpan.FromMinutes(9));
        Assert.Equal("active", (await client.GetHoldAsync(hold.Id())).Text("status"));

        api.Clock.Advance(TimeSpan.FromMinutes(1));
        var seen = await client.GetHoldAsync(hold.Id());
        Assert.Equal(("expired", seen.Text("expires_at")), (seen.Text("status"), seen.Text("released_at")));
        Assert.Equal([hold.Id()], (await client.GetJsonAsync($"/api/v1/wallets/{wallet}/holds?status=expired")).Ok()["holds"]!.AsArray().Select(h => h!.Id()));
        Assert.Empty((await client.GetJsonAsync($"/api/v1/wallets/{wallet}/holds?status=active")).Ok()["holds"]!.AsArray());
        Assert.Equal("active", await StoredStatusAsync(hold.Id()));

        // Any write to the wallet records the expiry first: a void may take everything.
        await client.VoidAsync(wallet, "10");
        Assert.Equal("expired", await StoredStatusAsync(hold.Id()));
        Assert.Equal(1, await api.ScalarAsync<int>("SELECT count(*)::int FROM holds WHERE id = @h AND released_at = expires_at", ("h", Guid.Parse(hold.Id()))));
        (await api.UnchangedAsync(() => client.CaptureAsync(hold.Id(), "1"))).ExpectLagoValidation("status", "hold_not_active");
        (await api.UnchangedAsync(() => client.ReleaseAsync(hold.Id()))).ExpectLagoValidation("status", "hold_not_active");
        Assert.Equal(0, await RunJobAsync());
        await LedgerInvariants.AssertAsync(api);
    }

    [Fact]
    public async Task A_capture_after_the_expiry_is_refused_and_records_the_expiry()
    {
        var client = await api.NewOrganizationClientAsync();
        var wallet = await client.CustomerWithWalletAsync("late-capture", ("granted_credits", "10"));
        var hold = await client.HeldAsync(wallet, "10", "late", api.Clock.GetUtcNow().AddSeconds(5));
        api.Clock.Advance(TimeSpan.FromSeconds(5));
        (await client.CaptureAsync(hold.Id(), "1")).ExpectLagoValidation("status", "hold_not_active");
        Assert.Equal("expired", await StoredStatusAsync(hold.Id()));
        Assert.Equal(("10.0", "0.0"), ((await client.GetWalletAsync(wallet)).Text("credits_balance"), (await client.GetWalletAsync(wallet)).Text("held_credits")));
        await LedgerInvariants.AssertAsync(api);
    }

    [Fact]
    public async Task The_job_ends_expired_holds_nothing_touched_and_leaves_live_ones()
    {
        var client = await api.NewOrganizationClientAsync();
        var wallet = await client.CustomerWithWalletAsync("job", ("granted_credits", "10"));
        var soon = await client.HeldAsync(wallet, "3", "soon", api.Clock.GetUtcNow().AddSeconds(30));
        var later = await client.HeldAsync(wallet, "4", "later", api.Clock.GetUtcNow().AddHours(1));
        var never = await client.HeldAsync(wallet, "2", "never");
        Assert.Equal(0, await RunJobAsync());

        api.Clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal("9.0", (await client.GetWalletAsync(wallet)).Text("held_credits"));
        Assert.Equal(1, await RunJobAsync());
        Assert.Equal(("expired", "active", "active"), ((await client.GetHoldAsync(soon.Id())).Text("status"),
            (await client.GetHoldAsync(later.Id())).Text("status"), (await client.GetHoldAsync(never.Id())).Text("status")));
        Assert.Equal(("6.0", "4.0"), ((await client.GetWalletAsync(wallet)).Text("held_credits"), (await client.GetWalletAsync(wallet)).Text("credits_ongoing_balance")));
        Assert.Equal(0, await RunJobAsync());
        await LedgerInvariants.AssertAsync(api);
    }

    [Fact]
    public async Task A_hold_reserves_only_from_grants_that_outlive_it()
    {
        var client = await api.NewOrganizationClientAsync();
        var wallet = await client.CustomerWithWalletAsync("grant-expiry");
        var now = api.Clock.GetUtcNow();
        (await client.TopUpAsync(wallet, ("granted_credits", "5"), ("expiration_at", now.AddHours(1)))).Ok();
        var longLived = (string)(await client.TopUpAsync(wallet, ("granted_credits", "5"), ("expiration_at", now.AddDays(1)))).Ok()["wallet_transactions"]![0]!["lago_id"]!;

        (await api.UnchangedAsync(() => client.HoldAsync(wallet, "6", "too-long", now.AddHours(2)))).ExpectLagoValidation("credits", "insufficient_credits");
        (await api.UnchangedAsync(() => client.HoldAsync(wallet, "1", "forever"))).ExpectLagoValidation("credits", "insufficient_credits");
        var hold = await client.HeldAsync(wallet, "5", "fits", now.AddHours(2));
        Assert.Equal(500L, await api.ScalarAsync<long>("SELECT held_cents FROM wallet_transactions WHERE id = @id", ("id", Guid.Parse(longLived))));
        // Until the short grant's expiry, a hold may use both.
        (await client.CaptureAsync(hold.Id(), "0")).Ok();
        (await client.HoldAsync(wallet, "10", "both", now.AddHours(1))).Ok();
        await LedgerInvariants.AssertAsync(api);
    }
}
