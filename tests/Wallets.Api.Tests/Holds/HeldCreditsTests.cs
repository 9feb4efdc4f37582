using System.Net;
using Wallets.Api.Tests.Infrastructure;
using Wallets.Api.Tests.Invoicing;

namespace Wallets.Api.Tests.Holds;

/// <summary>Held credits are taken by nothing else: parallel holds, voids, invoices, other holds; termination releases them.</summary>
public sealed class HeldCreditsTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Of_a_hundred_parallel_holds_exactly_as_many_succeed_as_the_balance_allows()
    {
        var client = await api.NewOrganizationClientAsync();
        var wallet = await client.CustomerWithWalletAsync("parallel", ("granted_credits", "30"));
        await client.GrantAsync(wallet, "7");

        using var start = new SemaphoreSlim(0);
        var tasks = Enumerable.Range(0, 100).Select(async i => { await start.WaitAsync(); return await client.HoldAsync(wallet, "1", $"p{i}"); }).ToArray();
        start.Release(100);
        var replies = await Task.WhenAll(tasks);

        Assert.DoesNotContain(replies, r => (int)r.Status >= 500);
        Assert.Equal(37, replies.Count(r => r.Status == HttpStatusCode.OK));
        Assert.All(replies.Where(r => r.Status != HttpStatusCode.OK), r => r.ExpectLagoValidation("credits", "insufficient_credits"));
        var after = await client.GetWalletAsync(wallet);
        Assert.Equal(("37.0", "37.0", "0.0"), (after.Text("credits_balance"), after.Text("held_credits"), after.Text("credits_ongoing_balance")));
        await LedgerInvariants.AssertAsync(api);
    }

    [Fact]
    public async Task Voids_pool_wide_or_targeted_and_other_holds_take_only_what_no_hold_reserves()
    {
        var client = await api.NewOrganizationClientAsync();
        var wallet = await client.CustomerWithWalletAsync("voids");
        var grant = await client.GrantAsync(wallet, "10");
        var hold = await client.HeldAsync(wallet, "6", "reserved");

        (await api.UnchangedAsync(() => client.TopUpAsync(wallet, ("voided_credits", "5")))).ExpectLagoValidation("voided_credits", "insufficient_credits");
        (await api.UnchangedAsync(() => client.TopUpAsync(wallet, ("voided_transaction_id", grant), ("voided_credits", "5"))))
            .ExpectLagoValidation("amount_cents", "exceeds_remaining_transaction_amount");
        (await api.UnchangedAsync(() => client.HoldAsync(wallet, "5", "second"))).ExpectLagoValidation("credits", "insufficient_credits");

        // A targeted void without an amount takes what the grant holds beyond the hold.
        (await client.TopUpAsync(wallet, ("voided_transaction_id", grant))).Ok();
        Assert.Equal(600L, await api.BalanceCentsAsync(wallet));
        (await api.UnchangedAsync(() => client.TopUpAsync(wallet, ("voided_credits", "1")))).ExpectLagoValidation("voided_credits", "insufficient_credits");
        (await client.CaptureAsync(hold.Id(), "6")).Ok();
        Assert.Equal(0L, await api.BalanceCentsAsync(wallet));
        await LedgerInvariants.AssertAsync(api);
    }

    [Fact]
    public async Task An_invoice_pays_only_with_what_no_hold_reserves_and_the_hold_is_still_captured_in_full()
    {
        var client = await api.NewOrganizationClientAsync();
        await client.PlanAsync("plan", 1_500, []);
        await InvoicingSetup.CustomerAsync(client, "billed");
        var wallet = (await client.EuroWalletAsync("billed", "main", "10")).Id();
        var hold = await client.HeldAsync(wallet, "8", "render");
        var month = api.ThisMonth();
        await client.SubscribeAsync("billed", "plan", month);
        await api.BillAsync(month.AddMonths(1).AddHours(1));

        var invoice = Assert.Single(await client.InvoicesAsync("billed"));
        Assert.Equal((200L, 1_300L), ((long)invoice["prepaid_credit_amount_cents"]!, (long)invoice["total_amount_cents"]!));
        Assert.Equal(800L, await api.BalanceCentsAsync(wallet));
        Assert.Equal("8.0", (await client.CaptureAsync(hold.Id())).Ok()["hold"]!.Text("captured_credits"));
        Assert.Equal(0L, await api.BalanceCentsAsync(wallet));
        await LedgerInvariants.AssertAsync(api);
    }

    [Fact]
    public async Task Terminating_a_wallet_releases_its_holds_before_voiding_what_is_left()
    {
        var client = await api.NewOrganizationClientAsync();
        var wallet = await client.CustomerWithWalletAsync("terminated", ("granted_credits", "10"));
        var hold = await client.HeldAsync(wallet, "4", "in-flight");
        var terminated = (await client.DeleteJsonAsync($"/api/v1/wallets/{wallet}")).Ok()["wallet"]!;
        Assert.Equal(("terminated", "0.0", "0.0"), (terminated.Text("status"), terminated.Text("credits_balance"), terminated.Text("held_credits")));
        Assert.Equal("released", (await client.GetHoldAsync(hold.Id())).Text("status"));
        (await api.UnchangedAsync(() => client.CaptureAsync(hold.Id(), "1"))).ExpectLagoValidation("status", "hold_not_active");
        Assert.Equal(1_000L, await api.ScalarAsync<long>("SELECT amount_cents FROM wallet_transactions WHERE wallet_id = @w AND transaction_status = 'voided'",
            ("w", Guid.Parse(wallet))));
        await LedgerInvariants.AssertAsync(api);
    }
}
