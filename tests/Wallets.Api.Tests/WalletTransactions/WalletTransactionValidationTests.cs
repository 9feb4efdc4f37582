using Wallets.Api.Tests.Infrastructure;

namespace Wallets.Api.Tests.WalletTransactions;

/// <summary>Every refusal of a top-up or grant on `POST /wallet_transactions`: Lago's exact body, and nothing written.</summary>
public sealed class WalletTransactionValidationTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Theory]
    [InlineData("""{"wallet_id":"0193e0c4-0000-7000-8000-000000000000","granted_credits":"10"}""")]
    [InlineData("""{"wallet_transaction":{}}""")]
    [InlineData("""{"wallet_transaction":null}""")]
    [InlineData("""{"wallet_transaction":[]}""")]
    [InlineData("""{"wallet_transaction":" "}""")]
    public async Task A_body_without_its_wallet_transaction_root_is_a_400(string body)
    {
        var client = await api.NewOrganizationClientAsync();
        await client.CustomerWithWalletAsync("root", ("granted_credits", "5"));
        (await api.UnchangedAsync(() => client.PostAsync("/api/v1/wallet_transactions", body))).ExpectMissingRoot("wallet_transaction");
    }

    [Theory]
    [InlineData("0193e0c4-0000-7000-8000-000000000000")]
    [InlineData("not-a-uuid")]
    [InlineData("")]
    [InlineData(null)]
    public async Task An_unknown_or_malformed_wallet_is_a_422_not_a_404(string? walletId)
    {
        var client = await api.NewOrganizationClientAsync();
        await client.CustomerWithWalletAsync("someone", ("granted_credits", "5"));
        (await api.UnchangedAsync(() => client.TopUpAsync(walletId!, ("granted_credits", "10")))).ExpectLagoValidation("wallet_id", "wallet_not_found");
        (await api.UnchangedAsync(() => client.PostAsync("/api/v1/wallet_transactions", new { wallet_transaction = new { paid_credits = "10" } })))
            .ExpectLagoValidation("wallet_id", "wallet_not_found");
    }

    [Fact]
    public async Task A_terminated_wallet_takes_no_transaction()
    {
        var client = await api.NewOrganizationClientAsync();
        var id = await client.CustomerWithWalletAsync("ended", ("granted_credits", "5"));
        (await client.DeleteJsonAsync($"/api/v1/wallets/{id}")).Ok();
        foreach (var field in new[] { "paid_credits", "granted_credits", "voided_credits" })
            (await api.UnchangedAsync(() => client.TopUpAsync(id, (field, "1")))).ExpectLagoValidation("wallet_id", "wallet_is_terminated");
    }

    [Theory]
    [InlineData("paid_credits", "abc", "invalid_paid_credits", "invalid_amount")]
    [InlineData("paid_credits", "-5", "invalid_paid_credits", "invalid_amount")]
    [InlineData("granted_credits", "abc", "invalid_granted_credits", "invalid_amount")]
    [InlineData("granted_credits", "-0.5", "invalid_granted_credits", "invalid_amount")]
    [InlineData("voided_credits", "abc", "invalid_voided_credits", "invalid_amount")]
    [InlineData("voided_credits", "-1", "invalid_voided_credits", "invalid_amount")]
    [InlineData("voided_credits", "10.01", "insufficient_credits")]
    [InlineData("paid_credits", "0.004", "amount_rounds_to_zero")]
    [InlineData("granted_credits", "0.00499", "amount_rounds_to_zero")]
    [InlineData("priority", 0, "value_is_out_of_range")]
    [InlineData("priority", 51, "value_is_out_of_range")]
    [InlineData("priority", "high", "value_is_invalid")]
    [InlineData("ignore_paid_top_up_limits", new[] { 1 }, "value_is_invalid")]
    public async Task An_invalid_field_is_a_422_with_lagos_codes_and_writes_nothing(string field, object value, params string[] codes)
    {
        var client = await api.NewOrganizationClientAsync();
        var id = await client.CustomerWithWalletAsync("field", ("granted_credits", "10"));
        // A field other than an amount rides on a valid grant, which must not be written either.
        (string, object?)[] fields = field.EndsWith("_credits") ? [(field, value)] : [("granted_credits", "1"), (field, value)];
        (await api.UnchangedAsync(() => client.TopUpAsync(id, fields))).ExpectLagoValidation(field, codes);
        Assert.Equal(1000L, await api.BalanceCentsAsync(id));
    }

    [Fact]
    public async Task A_name_longer_than_255_characters_is_too_long_and_a_blank_one_is_no_name()
    {
        var client = await api.NewOrganizationClientAsync();
        var id = await client.CustomerWithWalletAsync("named");
        (await api.UnchangedAsync(() => client.TopUpAsync(id, ("granted_credits", "1"), ("name", new string('n', 256))))).ExpectLagoValidation("name", "too_long");
        (await api.UnchangedAsync(() => client.TopUpAsync(id, ("paid_credits", "1"), ("name", new string('n', 1000))))).ExpectLagoValidation("name", "too_long");

        Assert.Equal(255, ((string?)(await client.TopUpAsync(id, ("granted_credits", "1"), ("name", new string('n', 255)))).Ok()["wallet_transactions"]![0]!["name"])!.Length);
        Assert.Null((string?)(await client.TopUpAsync(id, ("granted_credits", "1"), ("name", ""))).Ok()["wallet_transactions"]![0]!["name"]);
    }

    [Fact]
    public async Task Metadata_beyond_lagos_limits_is_refused()
    {
        var client = await api.NewOrganizationClientAsync();
        var id = await client.CustomerWithWalletAsync("meta", ("granted_credits", "10"));
        var sixteen = Enumerable.Range(0, 16).Select(i => new { key = $"k{i}", value = "v" }).ToArray();
        var cases = new (object Metadata, string Code)[]
        {
            (sixteen, "too_many_keys"),
            (new[] { new { key = new string('k', 21), value = "v" } }, "key_too_long"),
            (new[] { new { key = "k", value = new string('v', 101) } }, "value_too_long"),
            (new[] { new { key = "", value = "v" } }, "invalid_key_value_pair"),
            (new[] { new { key = "k", value = (string?)null } }, "invalid_key_value_pair"),
            (new[] { new { key = "k", value = " " } }, "invalid_key_value_pair"),
            (new object?[] { null }, "invalid_key_value_pair"),
        };
        foreach (var (metadata, code) in cases)
        {
            (await api.UnchangedAsync(() => client.TopUpAsync(id, ("granted_credits", "1"), ("metadata", metadata)))).ExpectLagoValidation("metadata", code);
            (await api.UnchangedAsync(() => client.TopUpAsync(id, ("voided_credits", "1"), ("metadata", metadata)))).ExpectLagoValidation("metadata", code);
        }

        var fifteen = sixteen[..15].Append(new { key = new string('k', 20), value = new string('v', 100) }).Skip(1).ToArray();
        (await client.TopUpAsync(id, ("granted_credits", "1"), ("metadata", fifteen))).Ok();
    }

    [Fact]
    public async Task Credits_worth_less_than_one_yen_round_to_zero_for_paid_and_granted()
    {
        var client = await api.NewOrganizationClientAsync();
        await client.NewCustomerAsync("yen", "JPY");
        var id = (string)(await client.NewWalletAsync("yen", ("currency", "JPY"), ("granted_credits", "3")))["lago_id"]!;
        foreach (var field in new[] { "paid_credits", "granted_credits" })
            (await api.UnchangedAsync(() => client.TopUpAsync(id, (field, "0.4")))).ExpectLagoValidation(field, "amount_rounds_to_zero");
        Assert.Equal(3L, await api.BalanceCentsAsync(id));
    }

    [Fact]
    public async Task Credits_worth_more_minor_units_than_a_balance_holds_are_an_invalid_amount_never_a_500()
    {
        var client = await api.NewOrganizationClientAsync();
        var id = await client.CustomerWithWalletAsync("huge");
        foreach (var field in new[] { "paid_credits", "granted_credits" })
        {
            (await api.UnchangedAsync(() => client.TopUpAsync(id, (field, "9999999999999999999999999")))).ExpectLagoValidation(field, "invalid_amount");
            (await api.UnchangedAsync(() => client.TopUpAsync(id, (field, "92233720368547758.08")))).ExpectLagoValidation(field, "invalid_amount");
        }

        // 90 quadrillion euros fit once; a second grant, or a purchase that would overflow once paid, does not.
        await client.GrantAsync(id, "90000000000000000");
        (await api.UnchangedAsync(() => client.TopUpAsync(id, ("granted_credits", "2300000000000000")))).ExpectLagoValidation("granted_credits", "invalid_amount");
        await client.PurchaseAsync(id, "2000000000000000");
        (await api.UnchangedAsync(() => client.TopUpAsync(id, ("paid_credits", "300000000000000")))).ExpectLagoValidation("paid_credits", "invalid_amount");
        (await api.UnchangedAsync(() => client.TopUpAsync(id, ("granted_credits", "300000000000000")))).ExpectLagoValidation("granted_credits", "invalid_amount");
        Assert.Equal(9_000_000_000_000_000_000L, await api.BalanceCentsAsync(id));
    }

    [Theory]
    [InlineData("4.99", "amount_below_minimum")]
    [InlineData("20.01", "amount_above_maximum")]
    public async Task A_paid_top_up_outside_the_wallet_limits_is_refused_unless_the_limits_are_ignored(string paid, string code)
    {
        var client = await api.NewOrganizationClientAsync();
        var id = await client.CustomerWithWalletAsync("limits", ("paid_top_up_min_amount_cents", 500), ("paid_top_up_max_amount_cents", 2000));
        (await api.UnchangedAsync(() => client.TopUpAsync(id, ("paid_credits", paid)))).ExpectLagoValidation("paid_credits", code);
        (await api.UnchangedAsync(() => client.TopUpAsync(id, ("paid_credits", paid), ("granted_credits", "5")))).ExpectLagoValidation("paid_credits", code);
        (await api.UnchangedAsync(() => client.TopUpAsync(id, ("paid_credits", paid), ("ignore_paid_top_up_limits", false))))
            .ExpectLagoValidation("paid_credits", code);

        // Granted credits are never limited; ignoring the limits lets the purchase through, pending its invoice.
        (await client.TopUpAsync(id, ("granted_credits", paid))).Ok();
        var purchase = (await client.TopUpAsync(id, ("paid_credits", paid), ("ignore_paid_top_up_limits", true))).Ok()["wallet_transactions"]![0]!;
        Assert.Equal("pending", (string?)purchase["status"]);
        Assert.NotNull((string?)purchase["lago_invoice_id"]);
    }
}
