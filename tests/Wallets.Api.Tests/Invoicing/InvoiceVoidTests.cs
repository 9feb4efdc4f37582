using System.Net;
using System.Text.Json.Nodes;
using Wallets.Api.Tests.Infrastructure;
using static Wallets.Api.Tests.Invoicing.InvoicingSetup;

namespace Wallets.Api.Tests.Invoicing;

/// <summary>`POST /invoices/{id}/void`: only finalized invoices, and the credits they consumed come back as Lago gives them back.</summary>
public sealed class InvoiceVoidTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    /// <summary>A customer whose two wallets (10 and 10 credits) paid a 15-euro subscription invoice.</summary>
    private async Task<(HttpClient Client, JsonNode First, JsonNode Second, JsonNode Invoice)> PaidInvoiceAsync(string customer)
    {
        var client = await api.NewOrganizationClientAsync();
        await client.PlanAsync("plan", 1_500, []);
        await client.CustomerAsync(customer);
        var first = await client.EuroWalletAsync(customer, "first", "10", priority: 1);
        var second = await client.EuroWalletAsync(customer, "second", "10", priority: 2);
        var month = api.ThisMonth();
        await client.SubscribeAsync(customer, "plan", month);
        await api.BillAsync(month.AddMonths(1).AddHours(1));
        var invoice = Assert.Single(await client.InvoicesAsync(customer));
        Assert.Equal(new Dictionary<string, long> { ["first"] = 1_000, ["second"] = 500 }, await api.PaidByWalletAsync(invoice.Id()));
        return (client, first, second, invoice);
    }

    private static async Task<List<JsonNode>> RegrantsAsync(HttpClient client, string walletId) =>
        (await client.GetJsonAsync($"/api/v1/wallets/{walletId}/wallet_transactions?transaction_status=granted")).Ok()["wallet_transactions"]!
            .AsArray().Where(t => t!["lago_voided_invoice_id"] is not null).Select(t => t!).ToList();

    [Fact]
    public async Task Voiding_gives_each_debit_back_as_a_new_grant_to_wallets_still_active()
    {
        var (client, first, second, invoice) = await PaidInvoiceAsync("void");
        // The second wallet is terminated (what it held is voided): it gets nothing back.
        (await client.DeleteJsonAsync($"/api/v1/wallets/{second.Id()}")).Ok();

        var voided = (await client.PostAsync($"/api/v1/invoices/{invoice.Id()}/void", new { })).Ok()["invoice"]!;
        Assert.Equal("voided", (string?)voided["status"]);
        Assert.NotNull((string?)voided["voided_at"]);
        Assert.Equal(1_500, (long)voided["prepaid_credit_amount_cents"]!);

        var regrant = Assert.Single(await RegrantsAsync(client, first.Id()));
        Assert.Equal((invoice.Id(), "10.0", 1_000L, "settled", "inbound"), ((string)regrant["lago_voided_invoice_id"]!,
            (string)regrant["credit_amount"]!, (long)regrant["remaining_amount_cents"]!, (string)regrant["status"]!, (string)regrant["transaction_type"]!));
        var wallet = (await client.GetJsonAsync($"/api/v1/wallets/{first.Id()}")).Ok()["wallet"]!;
        Assert.Equal((1_000L, "0.0"), ((long)wallet["balance_cents"]!, (string)wallet["consumed_credits"]!));
        Assert.Empty(await RegrantsAsync(client, second.Id()));
        Assert.Equal(0, await client.BalanceAsync(second.Id()));
        // The original debit and its fundings stay: the trail shows what happened.
        Assert.Equal(2, (await api.PaidByWalletAsync(invoice.Id())).Count);
        await LedgerInvariants.AssertAsync(api);
    }

    [Fact]
    public async Task Only_a_finalized_invoice_can_be_voided_and_only_once()
    {
        var (client, first, _, invoice) = await PaidInvoiceAsync("twice");
        var replies = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => client.PostAsync($"/api/v1/invoices/{invoice.Id()}/void", new { })));
        Assert.Single(replies, r => r.Status == HttpStatusCode.OK);
        foreach (var refused in replies.Where(r => r.Status != HttpStatusCode.OK))
            Assert.Equal("""{"status":405,"error":"Method Not Allowed","code":"not_voidable"}""", refused.Expect(HttpStatusCode.MethodNotAllowed).ToJsonString());
        Assert.Single(await RegrantsAsync(client, first.Id()));

        (await client.PostAsync($"/api/v1/invoices/{Guid.NewGuid()}/void", new { })).ExpectNotFound("invoice");
        (await client.PostAsync("/api/v1/invoices/not-a-uuid/void", new { })).ExpectNotFound("invoice");

        // A credit invoice waiting for its payment is `open`, not finalized.
        var waiting = (await client.PostAsync("/api/v1/wallets", new
        {
            wallet = new { external_customer_id = "twice", code = "waiting", rate_amount = "1", currency = "EUR", invoice_requires_successful_payment = true },
        })).Ok()["wallet"]!;
        var purchase = (await client.TransactAsync(waiting.Id(), new { paid_credits = "5" })).Single()!;
        var open = await api.UnchangedAsync(() => client.PostAsync($"/api/v1/invoices/{(string)purchase["lago_invoice_id"]!}/void", new { }));
        Assert.Equal("not_voidable", (string?)open.Expect(HttpStatusCode.MethodNotAllowed)["code"]);
        await LedgerInvariants.AssertAsync(api);
    }

    [Fact]
    public async Task A_voided_credit_invoice_never_settles_its_purchase()
    {
        var client = await api.NewOrganizationClientAsync();
        await client.CustomerAsync("buyer");
        var wallet = await client.EuroWalletAsync("buyer", "main", null);
        var purchase = (await client.TransactAsync(wallet.Id(), new { paid_credits = "5" })).Single()!;
        var invoiceId = (string)purchase["lago_invoice_id"]!;

        (await client.PostAsync($"/api/v1/invoices/{invoiceId}/void", new { })).Ok();
        (await client.PutAsync($"/api/v1/invoices/{invoiceId}", new { invoice = new { payment_status = "succeeded" } })).Ok();
        var after = (await client.GetJsonAsync($"/api/v1/wallet_transactions/{purchase.Id()}")).Ok()["wallet_transaction"]!;
        Assert.Equal("failed", (string?)after["status"]);
        Assert.Equal(0, await client.BalanceAsync(wallet.Id()));
        await LedgerInvariants.AssertAsync(api);
    }
}
