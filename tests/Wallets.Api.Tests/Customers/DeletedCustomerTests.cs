using System.Net;
using Wallets.Api.Tests.Infrastructure;

namespace Wallets.Api.Tests.Customers;

/// <summary>
/// After `DELETE /customers/{id}`: its wallets are gone for every route (404, as GET already answered), and its invoices
/// stay readable, payable and voidable, as in Lago (an invoice belongs to the organization and outlives its customer).
/// </summary>
public sealed class DeletedCustomerTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private async Task<(HttpClient Client, string WalletId, string CreditInvoiceId, string OneOffInvoiceId)> DeletedCustomerAsync()
    {
        var client = await api.NewOrganizationClientAsync();
        var wallet = await client.WalletAsync("gone", new { granted_credits = "10" }, currency: "EUR");
        var purchase = await client.TransactAsync(wallet.Id(), new { paid_credits = "5" });
        (await client.PostAsync("/api/v1/add_ons", new { add_on = new { name = "Setup", code = "setup", amount_cents = 1000, amount_currency = "EUR" } })).Ok();
        var oneOff = (await client.PostAsync("/api/v1/invoices", new { invoice = new { external_customer_id = "gone", fees = new[] { new { add_on_code = "setup" } } } })).Ok()["invoice"]!;
        (await client.DeleteJsonAsync("/api/v1/customers/gone")).Ok();
        return (client, wallet.Id(), (string)purchase[0]!["lago_invoice_id"]!, oneOff.Id());
    }

    [Fact]
    public async Task Writes_on_a_deleted_customers_wallet_answer_not_found_like_its_read()
    {
        var (client, walletId, _, _) = await DeletedCustomerAsync();
        (await client.GetJsonAsync($"/api/v1/wallets/{walletId}")).ExpectNotFound("wallet");
        (await client.DeleteJsonAsync($"/api/v1/wallets/{walletId}")).ExpectNotFound("wallet");
        (await client.PutAsync($"/api/v1/wallets/{walletId}", new { wallet = new { name = "x" } })).ExpectNotFound("wallet");
        (await client.PostAsync("/api/v1/wallet_transactions", new { wallet_transaction = new { wallet_id = walletId, paid_credits = "1" } }))
            .ExpectValidation("wallet_id", "wallet_not_found");
        (await client.PostAsync("/api/v1/wallet_transactions", new { wallet_transaction = new { wallet_id = walletId, voided_credits = "1" } }))
            .ExpectValidation("wallet_id", "wallet_not_found");
        Assert.Equal(1L, await api.ScalarAsync<long>("SELECT count(*) FROM wallet_transactions WHERE wallet_id = @w AND transaction_type = 'outbound'", ("w", Guid.Parse(walletId))));
    }

    [Fact]
    public async Task A_deleted_customers_invoices_can_still_be_read_paid_and_voided()
    {
        var (client, _, creditInvoiceId, oneOffInvoiceId) = await DeletedCustomerAsync();
        Assert.Equal("gone", (string?)(await client.GetJsonAsync($"/api/v1/invoices/{creditInvoiceId}")).Ok()["invoice"]!["customer"]!["external_id"]);

        var paid = (await client.PutAsync($"/api/v1/invoices/{creditInvoiceId}", new { invoice = new { payment_status = "succeeded" } })).Ok()["invoice"]!;
        Assert.Equal("succeeded", (string?)paid["payment_status"]);

        var voided = (await client.PostAsync($"/api/v1/invoices/{oneOffInvoiceId}/void", new { })).Ok()["invoice"]!;
        Assert.Equal("voided", (string?)voided["status"]);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, (await client.PostAsync($"/api/v1/invoices/{oneOffInvoiceId}/void", new { })).Status);
        await LedgerInvariants.AssertAsync(api);
    }
}
