using System.Text.Json.Nodes;
using Wallets.Api.Tests.Infrastructure;

namespace Wallets.Api.Tests.Wallets;

/// <summary>The seeds' whole story over HTTP: grants, a paid purchase, voids, traceability, termination.</summary>
public sealed class WalletLifecycleTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Grants_purchases_voids_and_termination_are_traced_grant_by_grant()
    {
        var client = await api.NewOrganizationClientAsync();
        var wallet = await client.WalletAsync("life", new { name = "Main", granted_credits = "100", transaction_name = "Welcome" });
        var walletId = wallet.Id();
        Assert.Equal("100.0", (string?)wallet["credits_balance"]);
        Assert.Equal(10000, (long)wallet["balance_cents"]!);
        Assert.Equal("main", (string?)wallet["code"]);

        var g1 = (await Transactions(client, walletId, "transaction_status=granted")).Single();
        Assert.Equal("Welcome", (string?)g1["name"]);

        // A purchase waits for its invoice to be paid.
        var p1 = (await client.TransactAsync(walletId, new { paid_credits = "50" })).Single()!;
        Assert.Equal(("pending", "purchased", "inbound"), ((string)p1["status"]!, (string)p1["transaction_status"]!, (string)p1["transaction_type"]!));
        Assert.Null((long?)p1["remaining_amount_cents"]);
        Assert.Equal(10000, (long)(await client.GetWalletAsync(walletId))["balance_cents"]!);

        var invoice = (await client.GetJsonAsync($"/api/v1/invoices/{(string)p1["lago_invoice_id"]!}")).Ok()["invoice"]!;
        Assert.Equal("credit", (string?)invoice["invoice_type"]);
        Assert.Equal("finalized", (string?)invoice["status"]);
        Assert.Equal(5000, (long)invoice["total_amount_cents"]!);
        Assert.Equal(0, (long)invoice["taxes_amount_cents"]!);
        var fee = invoice["fees"]!.AsArray().Single()!;
        Assert.Equal("credit", (string?)fee["item"]!["type"]);
        Assert.Equal(p1.Id(), (string?)fee["item"]!["lago_item_id"]);

        var paid = (await client.PutAsync($"/api/v1/invoices/{invoice.Id()}", new { invoice = new { payment_status = "succeeded" } })).Ok()["invoice"]!;
        Assert.Equal("succeeded", (string?)paid["payment_status"]);
        var settled = (await client.GetJsonAsync($"/api/v1/wallet_transactions/{p1.Id()}")).Ok()["wallet_transaction"]!;
        Assert.Equal("settled", (string?)settled["status"]);
        Assert.Equal(5000, (long)settled["remaining_amount_cents"]!);
        Assert.Equal(15000, (long)(await client.GetWalletAsync(walletId))["balance_cents"]!);

        var g2 = (await client.TransactAsync(walletId, new { granted_credits = "30", priority = 10 })).Single()!;

        // Voids draw grants by priority, granted before purchased, oldest first.
        var v1 = (await client.TransactAsync(walletId, new { voided_credits = "40" })).Single()!;
        Assert.Equal(("settled", "voided", "outbound"), ((string)v1["status"]!, (string)v1["transaction_status"]!, (string)v1["transaction_type"]!));
        Assert.Equal([(g2.Id(), 3000L), (g1.Id(), 1000L)], await Fundings(client, v1.Id()));

        var v2 = (await client.TransactAsync(walletId, new { voided_credits = "100" })).Single()!;
        Assert.Equal([(g1.Id(), 9000L), (p1.Id(), 1000L)], await Fundings(client, v2.Id()));
        Assert.Equal(4000, (long)(await client.GetWalletAsync(walletId))["balance_cents"]!);

        // Termination voids what is left, traced like any debit.
        var terminated = (await client.DeleteJsonAsync($"/api/v1/wallets/{walletId}")).Ok()["wallet"]!;
        Assert.Equal("terminated", (string?)terminated["status"]);
        Assert.Equal(0, (long)terminated["balance_cents"]!);
        Assert.Equal("180.0", (string?)terminated["consumed_credits"]);
        Assert.NotNull((string?)terminated["terminated_at"]);
        var v3 = (await Transactions(client, walletId, "transaction_type=outbound")).First()!;
        Assert.Equal("voided", (string?)v3["transaction_status"]);
        Assert.Equal([(p1.Id(), 4000L)], await Fundings(client, v3.Id()));

        // Seen from each grant: who consumed it, newest first.
        Assert.Equal([(v2.Id(), 9000L), (v1.Id(), 1000L)], await Consumptions(client, g1.Id()));
        Assert.Equal([(v3.Id(), 4000L), (v2.Id(), 1000L)], await Consumptions(client, p1.Id()));
        Assert.Equal([(v1.Id(), 3000L)], await Consumptions(client, g2.Id()));

        // Terminating again is an idempotent success.
        Assert.Equal("terminated", (string?)(await client.DeleteJsonAsync($"/api/v1/wallets/{walletId}")).Ok()["wallet"]!["status"]);
        await LedgerInvariants.AssertAsync(api);
    }

    [Fact]
    public async Task Consumption_items_carry_amounts_credits_and_the_other_transaction()
    {
        var client = await api.NewOrganizationClientAsync();
        var wallet = await client.WalletAsync("shape", new { granted_credits = "10" }, rate: "0.5", currency: "EUR");
        var grant = (await Transactions(client, wallet.Id(), "")).Single();
        var v = (await client.TransactAsync(wallet.Id(), new { voided_credits = "4" })).Single()!;
        Assert.Equal("2.0", (string?)v["amount"]);
        Assert.Equal("4.0", (string?)v["credit_amount"]);

        var body = (await client.GetJsonAsync($"/api/v1/wallet_transactions/{grant.Id()}/consumptions")).Ok();
        var item = body["wallet_transaction_consumptions"]!.AsArray().Single()!;
        Assert.Equal(200, (long)item["amount_cents"]!);
        Assert.Equal("4.0", (string?)item["credit_amount"]);
        Assert.Equal(v.Id(), (string?)item["wallet_transaction"]!["lago_id"]);
        Assert.Equal("""{"current_page":1,"next_page":null,"prev_page":null,"total_pages":1,"total_count":1}""", body["meta"]!.ToJsonString());

        var funding = (await client.GetJsonAsync($"/api/v1/wallet_transactions/{v.Id()}/fundings")).Ok()["wallet_transaction_fundings"]!.AsArray().Single()!;
        Assert.Equal(grant.Id(), (string?)funding["wallet_transaction"]!["lago_id"]);
        Assert.Equal(300, (long)funding["wallet_transaction"]!["remaining_amount_cents"]!);
        Assert.Equal("6.0", (string?)funding["wallet_transaction"]!["remaining_credit_amount"]);
    }

    [Fact]
    public async Task An_invoice_that_waits_for_payment_stays_open_until_paid_and_a_failed_payment_fails_the_purchase()
    {
        var client = await api.NewOrganizationClientAsync();
        var wallet = await client.WalletAsync("open", new { invoice_requires_successful_payment = true });
        var purchase = (await client.TransactAsync(wallet.Id(), new { paid_credits = "20" })).Single()!;
        Assert.True((bool)purchase["invoice_requires_successful_payment"]!);
        var invoiceId = (string)purchase["lago_invoice_id"]!;
        Assert.Equal("open", (string?)(await client.GetJsonAsync($"/api/v1/invoices/{invoiceId}")).Ok()["invoice"]!["status"]);

        var paid = (await client.PutAsync($"/api/v1/invoices/{invoiceId}", new { invoice = new { payment_status = "succeeded" } })).Ok()["invoice"]!;
        Assert.Equal("finalized", (string?)paid["status"]);
        Assert.Equal(2000, (long)(await client.GetWalletAsync(wallet.Id()))["balance_cents"]!);

        var second = (await client.TransactAsync(wallet.Id(), new { paid_credits = "5", invoice_requires_successful_payment = false })).Single()!;
        (await client.PutAsync($"/api/v1/invoices/{(string)second["lago_invoice_id"]!}", new { invoice = new { payment_status = "failed" } })).Ok();
        var failed = (await client.GetJsonAsync($"/api/v1/wallet_transactions/{second.Id()}")).Ok()["wallet_transaction"]!;
        Assert.Equal("failed", (string?)failed["status"]);
        Assert.NotNull((string?)failed["failed_at"]);
        // A later "succeeded" cannot revive a failed purchase.
        (await client.PutAsync($"/api/v1/invoices/{(string)second["lago_invoice_id"]!}", new { invoice = new { payment_status = "succeeded" } })).Ok();
        Assert.Equal(2000, (long)(await client.GetWalletAsync(wallet.Id()))["balance_cents"]!);
        await LedgerInvariants.AssertAsync(api);
    }

    [Fact]
    public async Task A_targeted_void_takes_only_from_that_grant_and_without_an_amount_takes_all_it_holds()
    {
        var client = await api.NewOrganizationClientAsync();
        var wallet = await client.WalletAsync("target", new { granted_credits = "10" });
        var first = (await Transactions(client, wallet.Id(), "")).Single();
        var second = (await client.TransactAsync(wallet.Id(), new { granted_credits = "20", priority = 1 })).Single()!;

        var partial = (await client.TransactAsync(wallet.Id(), new { voided_transaction_id = first.Id(), voided_credits = "4" })).Single()!;
        Assert.Equal([(first.Id(), 400L)], await Fundings(client, partial.Id()));
        var rest = (await client.TransactAsync(wallet.Id(), new { voided_transaction_id = first.Id() })).Single()!;
        Assert.Equal("6.0", (string?)rest["credit_amount"]);
        Assert.Equal([(first.Id(), 600L)], await Fundings(client, rest.Id()));

        var balance = await client.GetWalletAsync(wallet.Id());
        Assert.Equal("20.0", (string?)balance["credits_balance"]);
        Assert.Equal(2000, (long)(await client.GetJsonAsync($"/api/v1/wallet_transactions/{second.Id()}")).Ok()["wallet_transaction"]!["remaining_amount_cents"]!);
        await LedgerInvariants.AssertAsync(api);
    }

    private static async Task<List<JsonNode>> Transactions(HttpClient client, string walletId, string filter) =>
        (await client.GetJsonAsync($"/api/v1/wallets/{walletId}/wallet_transactions?{filter}")).Ok()["wallet_transactions"]!.AsArray().Select(t => t!).ToList();

    private static async Task<List<(string, long)>> Fundings(HttpClient client, string outboundId) =>
        (await client.GetJsonAsync($"/api/v1/wallet_transactions/{outboundId}/fundings")).Ok()["wallet_transaction_fundings"]!.AsArray()
            .Select(f => ((string)f!["wallet_transaction"]!["lago_id"]!, (long)f["amount_cents"]!))
            .ToList();

    private static async Task<List<(string, long)>> Consumptions(HttpClient client, string inboundId) =>
        (await client.GetJsonAsync($"/api/v1/wallet_transactions/{inboundId}/consumptions")).Ok()["wallet_transaction_consumptions"]!.AsArray()
            .Select(c => ((string)c!["wallet_transaction"]!["lago_id"]!, (long)c["amount_cents"]!)).ToList();
}
