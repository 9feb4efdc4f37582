using Wallets.Api.Tests.Infrastructure;

namespace Wallets.Api.Tests.WalletTransactions;

/// <summary>
/// Refusals when reading a transaction, its consumptions or fundings, asking for its payment URL, or changing
/// the payment status of its invoice: Lago's exact body, and nothing written.
/// </summary>
public sealed class WalletTransactionLookupValidationTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Theory]
    [InlineData("0193e0c4-0000-7000-8000-000000000000")]
    [InlineData("not-a-uuid")]
    public async Task An_unknown_or_malformed_transaction_is_wallet_transaction_not_found(string lagoId)
    {
        var client = await api.NewOrganizationClientAsync();
        await client.GrantAsync(await client.CustomerWithWalletAsync("someone"), "10");

        (await api.UnchangedAsync(() => client.GetJsonAsync($"/api/v1/wallet_transactions/{lagoId}"))).ExpectNotFound("wallet_transaction");
        (await api.UnchangedAsync(() => client.GetJsonAsync($"/api/v1/wallet_transactions/{lagoId}/consumptions"))).ExpectNotFound("wallet_transaction");
        (await api.UnchangedAsync(() => client.GetJsonAsync($"/api/v1/wallet_transactions/{lagoId}/fundings"))).ExpectNotFound("wallet_transaction");
        (await api.UnchangedAsync(() => client.PostAsync($"/api/v1/wallet_transactions/{lagoId}/payment_url", "{}"))).ExpectNotFound("wallet_transaction");
    }

    [Fact]
    public async Task Consumptions_are_only_for_inbound_and_fundings_only_for_outbound_transactions()
    {
        var client = await api.NewOrganizationClientAsync();
        var id = await client.CustomerWithWalletAsync("direction");
        var grant = await client.GrantAsync(id, "10");
        var (purchase, _) = await client.PurchaseAsync(id, "10");
        var outbound = await client.VoidAsync(id, "3");

        (await api.UnchangedAsync(() => client.GetJsonAsync($"/api/v1/wallet_transactions/{outbound}/consumptions")))
            .ExpectLagoValidation("transaction_type", "invalid_transaction_type");
        foreach (var inbound in new[] { grant, purchase })
            (await api.UnchangedAsync(() => client.GetJsonAsync($"/api/v1/wallet_transactions/{inbound}/fundings")))
                .ExpectLagoValidation("transaction_type", "invalid_transaction_type");

        // The right directions answer.
        Assert.Single((await client.GetJsonAsync($"/api/v1/wallet_transactions/{grant}/consumptions")).Ok()["wallet_transaction_consumptions"]!.AsArray());
        Assert.Single((await client.GetJsonAsync($"/api/v1/wallet_transactions/{outbound}/fundings")).Ok()["wallet_transaction_fundings"]!.AsArray());
    }

    [Fact]
    public async Task A_payment_url_is_refused_for_what_is_not_an_unpaid_purchase()
    {
        var client = await api.NewOrganizationClientAsync();
        var id = await client.CustomerWithWalletAsync("pay");
        var grant = await client.GrantAsync(id, "10");
        var outbound = await client.VoidAsync(id, "1");
        var (settled, invoice) = await client.PurchaseAsync(id, "10");
        (await client.PutAsync($"/api/v1/invoices/{invoice}", new { invoice = new { payment_status = "succeeded" } })).Ok();

        foreach (var notPurchased in new[] { grant, outbound })
            (await api.UnchangedAsync(() => client.PostAsync($"/api/v1/wallet_transactions/{notPurchased}/payment_url", "{}")))
                .ExpectLagoValidation("base", "wallet_transaction_not_purchased");
        (await api.UnchangedAsync(() => client.PostAsync($"/api/v1/wallet_transactions/{settled}/payment_url", "{}")))
            .ExpectLagoValidation("base", "wallet_transaction_already_settled");
    }

    [Fact]
    public async Task A_payment_url_for_an_unpaid_purchase_says_no_payment_provider_is_linked_rather_than_invent_one()
    {
        var client = await api.NewOrganizationClientAsync();
        var id = await client.CustomerWithWalletAsync("unpaid");
        var (pending, _) = await client.PurchaseAsync(id, "10");
        var (failed, invoice) = await client.PurchaseAsync(id, "10");
        (await client.PutAsync($"/api/v1/invoices/{invoice}", new { invoice = new { payment_status = "failed" } })).Ok();

        foreach (var purchase in new[] { pending, failed })
        {
            var reply = await api.UnchangedAsync(() => client.PostAsync($"/api/v1/wallet_transactions/{purchase}/payment_url", "{}"));
            reply.ExpectLagoValidation("base", "no_linked_payment_provider");
            Assert.DoesNotContain("payment_url", reply.Text);
        }
    }

    [Theory]
    [InlineData("bogus")]
    [InlineData("SUCCEEDED")]
    [InlineData("")]
    public async Task An_unknown_payment_status_is_value_is_invalid_and_settles_nothing(string status)
    {
        var client = await api.NewOrganizationClientAsync();
        var id = await client.CustomerWithWalletAsync("invoiced", ("invoice_requires_successful_payment", true));
        var (purchase, invoice) = await client.PurchaseAsync(id, "10");

        (await api.UnchangedAsync(() => client.PutAsync($"/api/v1/invoices/{invoice}", new { invoice = new { payment_status = status } })))
            .ExpectLagoValidation("payment_status", "value_is_invalid");
        (await api.UnchangedAsync(() => client.PutAsync($"/api/v1/invoices/{invoice}", new { invoice = new { payment_status = status, metadata = new[] { new { key = "k", value = "v" } } } })))
            .ExpectLagoValidation("payment_status", "value_is_invalid");
        (await api.UnchangedAsync(() => client.PutAsync($"/api/v1/invoices/{invoice}", new { invoice = new { payment_status = "succeeded", metadata = new object?[] { null } } })))
            .ExpectLagoValidation("metadata", "invalid_key_value_pair");

        var current = (await client.GetJsonAsync($"/api/v1/invoices/{invoice}")).Ok()["invoice"]!;
        Assert.Equal("pending", (string?)current["payment_status"]);
        Assert.Equal("open", (string?)current["status"]);
        Assert.Equal("pending", (string?)(await client.GetJsonAsync($"/api/v1/wallet_transactions/{purchase}")).Ok()["wallet_transaction"]!["status"]);
        Assert.Equal(0L, await api.BalanceCentsAsync(id));
    }

    [Theory]
    [InlineData("0193e0c4-0000-7000-8000-000000000000")]
    [InlineData("not-a-uuid")]
    public async Task An_unknown_invoice_is_invoice_not_found(string lagoId)
    {
        var client = await api.NewOrganizationClientAsync();
        await client.PurchaseAsync(await client.CustomerWithWalletAsync("someone"), "10");
        (await api.UnchangedAsync(() => client.PutAsync($"/api/v1/invoices/{lagoId}", new { invoice = new { payment_status = "succeeded" } })))
            .ExpectNotFound("invoice");
        (await api.UnchangedAsync(() => client.GetJsonAsync($"/api/v1/invoices/{lagoId}"))).ExpectNotFound("invoice");
    }

    [Fact]
    public async Task An_invoice_update_without_its_root_is_a_400_and_changes_nothing()
    {
        var client = await api.NewOrganizationClientAsync();
        var (_, invoice) = await client.PurchaseAsync(await client.CustomerWithWalletAsync("rootless"), "10");
        (await api.UnchangedAsync(() => client.PutAsync($"/api/v1/invoices/{invoice}", new { payment_status = "succeeded" }))).ExpectMissingRoot("invoice");
    }
}
