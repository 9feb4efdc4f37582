using Wallets.Api.Tests.Infrastructure;

namespace Wallets.Api.Tests.Wallets;

/// <summary>Every refusal of updating, reading and terminating a wallet: Lago's exact body, and nothing changed.</summary>
public sealed class WalletUpdateValidationTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task An_update_without_its_wallet_root_is_a_400_and_changes_nothing()
    {
        var client = await api.NewOrganizationClientAsync();
        var id = await client.CustomerWithWalletAsync("root", ("code", "root"));
        (await api.UnchangedAsync(() => client.PutAsync($"/api/v1/wallets/{id}", new { name = "x" }))).ExpectMissingRoot("wallet");
        (await api.UnchangedAsync(() => client.PutAsync("/api/v1/customers/root/wallets/root", new { wallet = new { } }))).ExpectMissingRoot("wallet");
    }

    [Theory]
    [InlineData("priority", 0, "value_is_out_of_range")]
    [InlineData("priority", 51, "value_is_out_of_range")]
    [InlineData("priority", "high", "value_is_invalid")]
    [InlineData("expiration_at", "2020-01-01T00:00:00Z", "invalid_date")]
    [InlineData("expiration_at", "soon", "invalid_date")]
    [InlineData("paid_top_up_min_amount_cents", 0, "value_is_out_of_range")]
    [InlineData("paid_top_up_max_amount_cents", -1, "value_is_out_of_range")]
    [InlineData("paid_top_up_max_amount_cents", 499, "must_be_greater_than_or_equal_min")]
    [InlineData("paid_top_up_min_amount_cents", 2001, "must_be_greater_than_or_equal_min")]
    public async Task An_invalid_update_is_a_422_and_changes_nothing(string field, object value, string code)
    {
        var client = await api.NewOrganizationClientAsync();
        var id = await client.CustomerWithWalletAsync("upd", ("code", "upd"),
            ("paid_top_up_min_amount_cents", 500), ("paid_top_up_max_amount_cents", 2000), ("granted_credits", "10"));
        var wallet = new Dictionary<string, object?> { ["name"] = "renamed", [field] = value };
        var errorField = code == "must_be_greater_than_or_equal_min" ? "paid_top_up_max_amount_cents" : field;

        (await api.UnchangedAsync(() => client.PutAsync($"/api/v1/wallets/{id}", new { wallet }))).ExpectLagoValidation(errorField, code);
        (await api.UnchangedAsync(() => client.PutAsync("/api/v1/customers/upd/wallets/upd", new { wallet }))).ExpectLagoValidation(errorField, code);
        Assert.Equal(1000L, await api.BalanceCentsAsync(id));
    }

    [Fact]
    public async Task Unknown_fee_types_on_update_are_invalid_fee_types_on_allowed_fee_types()
    {
        var client = await api.NewOrganizationClientAsync();
        var id = await client.CustomerWithWalletAsync("fees", ("applies_to", new { fee_types = new[] { "charge" } }));
        var wallet = new { applies_to = new { fee_types = new[] { "subscription", "bogus" } } };
        (await api.UnchangedAsync(() => client.PutAsync($"/api/v1/wallets/{id}", new { wallet }))).ExpectLagoValidation("allowed_fee_types", "invalid_fee_types");
        var current = (await client.GetJsonAsync($"/api/v1/wallets/{id}")).Ok()["wallet"]!;
        Assert.Equal("""["charge"]""", current["applies_to"]!["fee_types"]!.ToJsonString());
    }

    [Fact]
    public async Task Renaming_to_the_code_of_another_active_wallet_is_refused()
    {
        var client = await api.NewOrganizationClientAsync();
        await client.CustomerWithWalletAsync("rename", ("code", "first"));
        var second = (string)(await client.NewWalletAsync("rename", ("code", "second")))["lago_id"]!;
        (await api.UnchangedAsync(() => client.PutAsync($"/api/v1/wallets/{second}", new { wallet = new { code = "first" } })))
            .ExpectLagoValidation("code", "value_already_exist");
    }

    [Fact]
    public async Task A_terminated_wallet_cannot_be_updated()
    {
        var client = await api.NewOrganizationClientAsync();
        var id = await client.CustomerWithWalletAsync("ended", ("code", "ended"), ("granted_credits", "5"));
        (await client.DeleteJsonAsync($"/api/v1/wallets/{id}")).Ok();

        var wallet = new { name = "revived", priority = 1 };
        (await api.UnchangedAsync(() => client.PutAsync($"/api/v1/wallets/{id}", new { wallet }))).ExpectLagoValidation("wallet_id", "wallet_is_terminated");
        (await api.UnchangedAsync(() => client.PutAsync("/api/v1/customers/ended/wallets/ended", new { wallet })))
            .ExpectLagoValidation("wallet_id", "wallet_is_terminated");
    }

    [Theory]
    [InlineData("0193e0c4-0000-7000-8000-000000000000")]
    [InlineData("not-a-uuid")]
    [InlineData("1")]
    public async Task An_unknown_or_malformed_lago_id_is_wallet_not_found_everywhere(string lagoId)
    {
        var client = await api.NewOrganizationClientAsync();
        await client.CustomerWithWalletAsync("someone", ("granted_credits", "5"));
        var wallet = new { name = "x" };
        var metadata = new { metadata = new Dictionary<string, string> { ["k"] = "v" } };

        (await api.UnchangedAsync(() => client.GetJsonAsync($"/api/v1/wallets/{lagoId}"))).ExpectNotFound("wallet");
        (await api.UnchangedAsync(() => client.PutAsync($"/api/v1/wallets/{lagoId}", new { wallet }))).ExpectNotFound("wallet");
        (await api.UnchangedAsync(() => client.DeleteJsonAsync($"/api/v1/wallets/{lagoId}"))).ExpectNotFound("wallet");
        (await api.UnchangedAsync(() => client.GetJsonAsync($"/api/v1/wallets/{lagoId}/wallet_transactions"))).ExpectNotFound("wallet");
        (await api.UnchangedAsync(() => client.PostAsync($"/api/v1/wallets/{lagoId}/metadata", metadata))).ExpectNotFound("wallet");
        (await api.UnchangedAsync(() => client.PatchAsync($"/api/v1/wallets/{lagoId}/metadata", metadata))).ExpectNotFound("wallet");
        (await api.UnchangedAsync(() => client.DeleteJsonAsync($"/api/v1/wallets/{lagoId}/metadata"))).ExpectNotFound("wallet");
        (await api.UnchangedAsync(() => client.DeleteJsonAsync($"/api/v1/wallets/{lagoId}/metadata/k"))).ExpectNotFound("wallet");
    }

    [Fact]
    public async Task An_unknown_code_or_customer_on_the_customer_routes_is_a_404()
    {
        var client = await api.NewOrganizationClientAsync();
        await client.CustomerWithWalletAsync("known", ("code", "real"));
        var wallet = new { name = "x" };
        foreach (var (path, resource) in new[] { ("/api/v1/customers/known/wallets/nope", "wallet"), ("/api/v1/customers/nobody/wallets/real", "customer") })
        {
            (await api.UnchangedAsync(() => client.GetJsonAsync(path))).ExpectNotFound(resource);
            (await api.UnchangedAsync(() => client.PutAsync(path, new { wallet }))).ExpectNotFound(resource);
            (await api.UnchangedAsync(() => client.DeleteJsonAsync(path))).ExpectNotFound(resource);
        }
        (await api.UnchangedAsync(() => client.GetJsonAsync("/api/v1/customers/nobody/wallets"))).ExpectNotFound("customer");
        (await api.UnchangedAsync(() => client.GetJsonAsync("/api/v1/wallets?external_customer_id=nobody"))).ExpectNotFound("customer");
    }

    [Fact]
    public async Task Another_organizations_wallet_is_a_404_everywhere_and_stays_untouched()
    {
        var theirs = await api.NewOrganizationClientAsync("theirs");
        var id = await theirs.CustomerWithWalletAsync("shared", ("code", "main"), ("granted_credits", "10"));
        var grant = (string)(await theirs.GetJsonAsync($"/api/v1/wallets/{id}/wallet_transactions")).Ok()["wallet_transactions"]![0]!["lago_id"]!;
        var (_, invoice) = await theirs.PurchaseAsync(id, "5");
        var mine = await api.NewOrganizationClientAsync("mine");
        var wallet = new { name = "stolen" };
        var metadata = new { metadata = new Dictionary<string, string> { ["k"] = "v" } };

        (await api.UnchangedAsync(() => mine.GetJsonAsync($"/api/v1/wallets/{id}"))).ExpectNotFound("wallet");
        (await api.UnchangedAsync(() => mine.PutAsync($"/api/v1/wallets/{id}", new { wallet }))).ExpectNotFound("wallet");
        (await api.UnchangedAsync(() => mine.DeleteJsonAsync($"/api/v1/wallets/{id}"))).ExpectNotFound("wallet");
        (await api.UnchangedAsync(() => mine.GetJsonAsync($"/api/v1/wallets/{id}/wallet_transactions"))).ExpectNotFound("wallet");
        (await api.UnchangedAsync(() => mine.PostAsync($"/api/v1/wallets/{id}/metadata", metadata))).ExpectNotFound("wallet");
        (await api.UnchangedAsync(() => mine.DeleteJsonAsync($"/api/v1/wallets/{id}/metadata"))).ExpectNotFound("wallet");
        (await api.UnchangedAsync(() => mine.GetJsonAsync($"/api/v1/wallet_transactions/{grant}"))).ExpectNotFound("wallet_transaction");
        (await api.UnchangedAsync(() => mine.GetJsonAsync($"/api/v1/wallet_transactions/{grant}/consumptions"))).ExpectNotFound("wallet_transaction");
        (await api.UnchangedAsync(() => mine.PutAsync($"/api/v1/invoices/{invoice}", new { invoice = new { payment_status = "succeeded" } })))
            .ExpectNotFound("invoice");
        (await api.UnchangedAsync(() => mine.TopUpAsync(id, ("voided_credits", "10")))).ExpectLagoValidation("wallet_id", "wallet_not_found");
        (await api.UnchangedAsync(() => mine.TopUpAsync(id, ("granted_credits", "10")))).ExpectLagoValidation("wallet_id", "wallet_not_found");

        // Their customer is invisible on the customer routes, and my customer of the same external id has no such wallet.
        (await api.UnchangedAsync(() => mine.GetJsonAsync("/api/v1/customers/shared/wallets/main"))).ExpectNotFound("customer");
        (await api.UnchangedAsync(() => mine.DeleteJsonAsync("/api/v1/customers/shared/wallets/main"))).ExpectNotFound("customer");
        (await api.UnchangedAsync(() => mine.PostAsync("/api/v1/customers/shared/wallets", new { wallet = ValidationSetup.WalletBody(null) })))
            .ExpectNotFound("customer");
        (await api.UnchangedAsync(() => mine.PostAsync("/api/v1/wallets", new { wallet = ValidationSetup.WalletBody("shared") })))
            .ExpectLagoValidation("customer", "customer_not_found");
        await mine.NewCustomerAsync("shared");
        (await api.UnchangedAsync(() => mine.GetJsonAsync("/api/v1/customers/shared/wallets/main"))).ExpectNotFound("wallet");
        (await api.UnchangedAsync(() => mine.PutAsync("/api/v1/customers/shared/wallets/main", new { wallet }))).ExpectNotFound("wallet");
        (await api.UnchangedAsync(() => mine.DeleteJsonAsync("/api/v1/customers/shared/wallets/main"))).ExpectNotFound("wallet");
        Assert.Equal(0, (int)(await mine.GetJsonAsync("/api/v1/wallets")).Ok()["meta"]!["total_count"]!);

        var still = (await theirs.GetJsonAsync($"/api/v1/wallets/{id}")).Ok()["wallet"]!;
        Assert.Equal("active", (string?)still["status"]);
        Assert.Null(still["metadata"]);
        Assert.Equal(1000L, await api.BalanceCentsAsync(id));
    }
}
