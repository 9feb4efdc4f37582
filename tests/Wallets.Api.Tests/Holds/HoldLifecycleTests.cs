using System.Net;
using System.Text.Json.Nodes;
using Wallets.Api.Tests.Infrastructure;

namespace Wallets.Api.Tests.Holds;

/// <summary>A hold from creation to capture or release, and every refusal on the way (each writing nothing).</summary>
public sealed class HoldLifecycleTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task A_capture_writes_one_outbound_funded_by_the_reserved_grants_and_releases_the_rest()
    {
        var client = await api.NewOrganizationClientAsync();
        var wallet = await client.CustomerWithWalletAsync("capture");
        var later = (string)(await client.TopUpAsync(wallet, ("granted_credits", "10"), ("priority", 20))).Ok()["wallet_transactions"]![0]!["lago_id"]!;
        var first = (string)(await client.TopUpAsync(wallet, ("granted_credits", "5"), ("priority", 10))).Ok()["wallet_transactions"]![0]!["lago_id"]!;

        var expiresAt = api.Clock.GetUtcNow().AddHours(1);
        var hold = await client.HeldAsync(wallet, "12", "llm-call-1", expiresAt);
        Assert.Equal(("active", "12.0", 1200L, wallet, "llm-call-1"), (hold.Text("status"), hold.Text("credits"), (long)hold["amount_cents"]!,
            hold.Text("lago_wallet_id"), hold.Text("external_id")));
        Assert.Null(hold["captured_credits"]);
        Assert.Equal(expiresAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"), hold.Text("expires_at"));

        var held = await client.GetWalletAsync(wallet);
        Assert.Equal(("15.0", "12.0", 1200L, "3.0"), (held.Text("credits_balance"), held.Text("held_credits"), (long)held["held_balance_cents"]!,
            held.Text("credits_ongoing_balance")));

        var captured = (await client.CaptureAsync(hold.Id(), "7")).Ok()["hold"]!;
        Assert.Equal(("captured", "7.0", 700L), (captured.Text("status"), captured.Text("captured_credits"), (long)captured["captured_amount_cents"]!));
        Assert.NotNull(captured["captured_at"]);
        var debit = (await client.GetJsonAsync($"/api/v1/wallet_transactions/{captured.Text("lago_wallet_transaction_id")}")).Ok()["wallet_transaction"]!;
        Assert.Equal(("outbound", "invoiced", "settled", "7.0"), (debit.Text("transaction_type"), debit.Text("transaction_status"), debit.Text("status"), debit.Text("amount")));
        Assert.Contains(debit["metadata"]!.AsArray(), m => (string?)m!["key"] == "lago_hold_id" && (string?)m["value"] == hold.Id());
        // The grants reserved in consumption order (priority 10 first) fund it.
        var fundings = (await client.GetJsonAsync($"/api/v1/wallet_transactions/{debit.Id()}/fundings")).Ok()["wallet_transaction_fundings"]!.AsArray();
        Assert.Equal([(first, 500L), (later, 200L)], fundings.Select(f => (f!["wallet_transaction"]!.Id(), (long)f["amount_cents"]!)).OrderByDescending(f => f.Item2));

        var after = await client.GetWalletAsync(wallet);
        Assert.Equal(("8.0", "0.0", "8.0", "7.0"), (after.Text("credits_balance"), after.Text("held_credits"), after.Text("credits_ongoing_balance"), after.Text("consumed_credits")));
        Assert.True(JsonNode.DeepEquals(captured, await client.GetHoldAsync(hold.Id())));
        await LedgerInvariants.AssertAsync(api);
    }

    [Fact]
    public async Task A_capture_without_credits_takes_all_and_a_capture_of_zero_takes_nothing_and_writes_no_transaction()
    {
        var client = await api.NewOrganizationClientAsync();
        var wallet = await client.CustomerWithWalletAsync("capture-all", ("granted_credits", "10"));
        var all = (await client.CaptureAsync((await client.HeldAsync(wallet, "4", "all")).Id())).Ok()["hold"]!;
        Assert.Equal(("captured", "4.0"), (all.Text("status"), all.Text("captured_credits")));
        var none = (await client.CaptureAsync((await client.HeldAsync(wallet, "3", "none")).Id(), "0")).Ok()["hold"]!;
        Assert.Equal(("captured", "0.0", null), (none.Text("status"), none.Text("captured_credits"), (string?)none["lago_wallet_transaction_id"]));
        Assert.Equal(600L, await api.BalanceCentsAsync(wallet));
        Assert.Equal(2L, await api.ScalarAsync<long>("SELECT count(*) FROM wallet_transactions WHERE wallet_id = @w", ("w", Guid.Parse(wallet))));
        await LedgerInvariants.AssertAsync(api);
    }

    [Fact]
    public async Task A_release_frees_everything_and_an_ended_hold_can_be_neither_captured_nor_released_again()
    {
        var client = await api.NewOrganizationClientAsync();
        var wallet = await client.CustomerWithWalletAsync("release", ("granted_credits", "10"));
        var hold = await client.HeldAsync(wallet, "10", "render-1");
        var released = (await client.ReleaseAsync(hold.Id())).Ok()["hold"]!;
        Assert.Equal("released", released.Text("status"));
        Assert.NotNull(released["released_at"]);
        Assert.Equal("0.0", (await client.GetWalletAsync(wallet)).Text("held_credits"));

        (await api.UnchangedAsync(() => client.CaptureAsync(hold.Id(), "1"))).ExpectLagoValidation("status", "hold_not_active");
        (await api.UnchangedAsync(() => client.ReleaseAsync(hold.Id()))).ExpectLagoValidation("status", "hold_not_active");
        var captured = await client.HeldAsync(wallet, "2", "render-2");
        (await client.CaptureAsync(captured.Id(), "2")).Ok();
        (await api.UnchangedAsync(() => client.CaptureAsync(captured.Id(), "1"))).ExpectLagoValidation("status", "hold_not_active");
        (await api.UnchangedAsync(() => client.ReleaseAsync(captured.Id()))).ExpectLagoValidation("status", "hold_not_active");
        await LedgerInvariants.AssertAsync(api);
    }

    [Fact]
    public async Task Refused_holds_and_captures_write_nothing()
    {
        var client = await api.NewOrganizationClientAsync();
        var wallet = await client.CustomerWithWalletAsync("refusals", ("granted_credits", "10"));
        var hold = await client.HeldAsync(wallet, "5", "first");

        (await api.UnchangedAsync(() => client.CaptureAsync(hold.Id(), "5.5"))).ExpectLagoValidation("credits", "exceeds_held_credits");
        (await api.UnchangedAsync(() => client.HoldAsync(wallet, "5.01", "too-much"))).ExpectLagoValidation("credits", "insufficient_credits");
        (await api.UnchangedAsync(() => client.HoldAsync(wallet, "1", "past", api.Clock.GetUtcNow().AddSeconds(-1)))).ExpectLagoValidation("expires_at", "invalid_date");
        (await api.UnchangedAsync(() => client.HoldAsync(wallet, "0", "zero"))).ExpectLagoValidation("credits", "invalid_credits");
        (await api.UnchangedAsync(() => client.HoldAsync(wallet, "-1", "negative"))).ExpectLagoValidation("credits", "invalid_credits");
        (await api.UnchangedAsync(() => client.HoldAsync(wallet, "ten", "malformed"))).ExpectLagoValidation("credits", "invalid_credits");
        (await api.UnchangedAsync(() => client.CaptureAsync(hold.Id(), "-1"))).ExpectLagoValidation("credits", "invalid_credits");
        (await api.UnchangedAsync(() => client.PostAsync($"/api/v1/wallets/{wallet}/holds", new { hold = new { credits = "1" } })))
            .ExpectLagoValidation("external_id", "value_is_mandatory");
        (await api.UnchangedAsync(() => client.PostAsync($"/api/v1/wallets/{wallet}/holds", new { hold = new { external_id = "x", expires_at = "soon", credits = "1" } })))
            .ExpectLagoValidation("expires_at", "invalid_date");
        (await api.UnchangedAsync(() => client.PostAsync($"/api/v1/wallets/{wallet}/holds", new { hold = new { } }))).ExpectMissingRoot("hold");
        Assert.Equal("5.0", (await client.GetWalletAsync(wallet)).Text("held_credits"));
    }

    [Fact]
    public async Task A_retried_create_answers_the_same_hold_and_a_conflicting_one_is_refused()
    {
        var client = await api.NewOrganizationClientAsync();
        var wallet = await client.CustomerWithWalletAsync("retry", ("granted_credits", "10"));
        var hold = await client.HeldAsync(wallet, "3", "job-42");
        var again = await client.HeldAsync(wallet, "3.0", "job-42");
        Assert.True(JsonNode.DeepEquals(hold, again), again.ToJsonString());
        (await api.UnchangedAsync(() => client.HoldAsync(wallet, "4", "job-42"))).ExpectLagoValidation("external_id", "value_already_exist");
        // The same external id on another wallet is another hold.
        var other = await client.CustomerWithWalletAsync("retry-other", ("granted_credits", "10"));
        Assert.NotEqual(hold.Id(), (await client.HeldAsync(other, "3", "job-42")).Id());
        Assert.Equal("3.0", (await client.GetWalletAsync(wallet)).Text("held_credits"));
    }

    [Fact]
    public async Task Unknown_holds_and_wallets_and_another_organizations_are_not_found_and_a_terminated_wallet_refuses()
    {
        var client = await api.NewOrganizationClientAsync();
        var wallet = await client.CustomerWithWalletAsync("mine", ("granted_credits", "10"));
        var hold = await client.HeldAsync(wallet, "1", "mine");
        var unknown = Guid.NewGuid().ToString();
        (await client.GetJsonAsync($"/api/v1/holds/{unknown}")).ExpectNotFound("hold");
        (await client.GetJsonAsync("/api/v1/holds/not-a-uuid")).ExpectNotFound("hold");
        (await client.CaptureAsync(unknown, "1")).ExpectNotFound("hold");
        (await client.ReleaseAsync(unknown)).ExpectNotFound("hold");
        (await client.HoldAsync(unknown, "1", "x")).ExpectNotFound("wallet");
        (await client.GetJsonAsync($"/api/v1/wallets/{unknown}/holds")).ExpectNotFound("wallet");

        var stranger = await api.NewOrganizationClientAsync("stranger");
        (await stranger.GetJsonAsync($"/api/v1/holds/{hold.Id()}")).ExpectNotFound("hold");
        (await api.UnchangedAsync(() => stranger.CaptureAsync(hold.Id(), "1"))).ExpectNotFound("hold");
        (await api.UnchangedAsync(() => stranger.ReleaseAsync(hold.Id()))).ExpectNotFound("hold");
        (await api.UnchangedAsync(() => stranger.HoldAsync(wallet, "1", "theirs"))).ExpectNotFound("wallet");
        (await stranger.GetJsonAsync($"/api/v1/wallets/{wallet}/holds")).ExpectNotFound("wallet");

        (await client.DeleteJsonAsync($"/api/v1/wallets/{wallet}")).Ok();
        (await api.UnchangedAsync(() => client.HoldAsync(wallet, "1", "late"))).ExpectLagoValidation("wallet_id", "wallet_is_terminated");
    }

    [Fact]
    public async Task A_wallets_holds_are_listed_newest_first_by_status_with_Lagos_pages()
    {
        var client = await api.NewOrganizationClientAsync();
        var wallet = await client.CustomerWithWalletAsync("listing", ("granted_credits", "10"));
        var ids = new List<string>();
        foreach (var n in Enumerable.Range(1, 3))
        {
            ids.Add((await client.HeldAsync(wallet, "1", $"h{n}")).Id());
            api.Clock.Advance(TimeSpan.FromSeconds(1));
        }
        (await client.ReleaseAsync(ids[0])).Ok();

        var page = (await client.GetJsonAsync($"/api/v1/wallets/{wallet}/holds?per_page=2")).Ok();
        Assert.Equal([ids[2], ids[1]], page["holds"]!.AsArray().Select(h => h!.Id()));
        Assert.Equal((1, 2, 2, 3L), ((int)page["meta"]!["current_page"]!, (int)page["meta"]!["next_page"]!, (int)page["meta"]!["total_pages"]!, (long)page["meta"]!["total_count"]!));
        var active = (await client.GetJsonAsync($"/api/v1/wallets/{wallet}/holds?status=active")).Ok()["holds"]!.AsArray();
        Assert.Equal([ids[2], ids[1]], active.Select(h => h!.Id()));
        var released = (await client.GetJsonAsync($"/api/v1/wallets/{wallet}/holds?status=released")).Ok()["holds"]!.AsArray();
        Assert.Equal([ids[0]], released.Select(h => h!.Id()));
    }
}
