using Wallets.Api.Tests.Infrastructure;
using static Wallets.Api.Tests.Infrastructure.ValidationSetup;

namespace Wallets.Api.Tests.Wallets;

/// <summary>Every refusal of `POST /wallets`: Lago's exact body, and not one row written.</summary>
public sealed class WalletValidationTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private const string Absent = "<absent>";

    [Theory]
    [InlineData("""{"external_customer_id":"root","rate_amount":"1","currency":"EUR"}""")]
    [InlineData("""{"wallet":{}}""")]
    [InlineData("""{"wallet":null}""")]
    [InlineData("""{"wallet":[]}""")]
    [InlineData("""{"wallet":""}""")]
    [InlineData("""{"wallet":false}""")]
    public async Task A_body_without_its_wallet_root_is_a_400_and_creates_nothing(string body)
    {
        var client = await api.NewOrganizationClientAsync();
        await client.NewCustomerAsync("root");
        (await api.UnchangedAsync(() => client.PostAsync("/api/v1/wallets", body))).ExpectMissingRoot("wallet");
        (await api.UnchangedAsync(() => client.PostAsync("/api/v1/customers/root/wallets", body))).ExpectMissingRoot("wallet");
    }

    [Theory]
    [InlineData("rate_amount", Absent, "value_is_mandatory")]
    [InlineData("rate_amount", null, "value_is_mandatory")]
    [InlineData("rate_amount", "", "value_is_mandatory")]
    [InlineData("rate_amount", "abc", "value_is_invalid")]
    [InlineData("rate_amount", "0", "value_is_out_of_range")]
    [InlineData("rate_amount", "-1", "value_is_out_of_range")]
    [InlineData("currency", "EURO", "value_is_invalid")]
    [InlineData("currency", "eur", "value_is_invalid")]
    [InlineData("priority", 0, "value_is_out_of_range")]
    [InlineData("priority", 51, "value_is_out_of_range")]
    [InlineData("priority", "high", "value_is_invalid")]
    [InlineData("expiration_at", "2020-01-01T00:00:00Z", "invalid_date")]
    [InlineData("expiration_at", "2026-01-15T09:59:00Z", "invalid_date")]
    [InlineData("expiration_at", "not a date", "invalid_date")]
    [InlineData("paid_top_up_min_amount_cents", 0, "value_is_out_of_range")]
    [InlineData("paid_top_up_min_amount_cents", -100, "value_is_out_of_range")]
    [InlineData("paid_top_up_max_amount_cents", 0, "value_is_out_of_range")]
    [InlineData("paid_top_up_min_amount_cents", "abc", "value_is_invalid")]
    [InlineData("paid_credits", "abc", "invalid_paid_credits", "invalid_amount")]
    [InlineData("paid_credits", "-5", "invalid_paid_credits", "invalid_amount")]
    [InlineData("granted_credits", "abc", "invalid_granted_credits", "invalid_amount")]
    [InlineData("granted_credits", "-5", "invalid_granted_credits", "invalid_amount")]
    public async Task An_invalid_field_is_a_422_with_lagos_code_and_creates_nothing(string field, object? value, params string[] codes)
    {
        var client = await api.NewOrganizationClientAsync();
        await client.NewCustomerAsync("field");
        var wallet = WalletBody("field", (field, value));
        if (Absent.Equals(value)) wallet.Remove(field);

        (await api.UnchangedAsync(() => client.PostAsync("/api/v1/wallets", new { wallet }))).ExpectLagoValidation(field, codes);
        wallet.Remove("external_customer_id");
        (await api.UnchangedAsync(() => client.PostAsync("/api/v1/customers/field/wallets", new { wallet }))).ExpectLagoValidation(field, codes);
    }

    [Fact]
    public async Task An_unknown_customer_is_a_422_on_the_global_route_and_a_404_on_the_customer_route()
    {
        var client = await api.NewOrganizationClientAsync();
        (await api.UnchangedAsync(() => client.PostAsync("/api/v1/wallets", new { wallet = WalletBody("nobody") })))
            .ExpectLagoValidation("customer", "customer_not_found");
        (await api.UnchangedAsync(() => client.PostAsync("/api/v1/wallets", new { wallet = WalletBody(null) })))
            .ExpectLagoValidation("customer", "customer_not_found");
        (await api.UnchangedAsync(() => client.PostAsync("/api/v1/customers/nobody/wallets", new { wallet = WalletBody(null) })))
            .ExpectNotFound("customer");
    }

    [Fact]
    public async Task A_currency_other_than_the_customers_is_refused()
    {
        var client = await api.NewOrganizationClientAsync();
        await client.NewCustomerAsync("usd-customer", "USD");
        (await api.UnchangedAsync(() => client.PostAsync("/api/v1/wallets", new { wallet = WalletBody("usd-customer") })))
            .ExpectLagoValidation("currency", "currencies_does_not_match");
    }

    [Fact]
    public async Task A_maximum_below_the_minimum_is_refused_on_the_maximum()
    {
        var client = await api.NewOrganizationClientAsync();
        await client.NewCustomerAsync("limits");
        var wallet = WalletBody("limits", ("paid_top_up_min_amount_cents", 1000), ("paid_top_up_max_amount_cents", 999));
        (await api.UnchangedAsync(() => client.PostAsync("/api/v1/wallets", new { wallet })))
            .ExpectLagoValidation("paid_top_up_max_amount_cents", "must_be_greater_than_or_equal_min");
    }

    [Fact]
    public async Task A_code_taken_by_an_active_wallet_is_refused_until_that_wallet_is_terminated()
    {
        var client = await api.NewOrganizationClientAsync();
        await client.NewCustomerAsync("codes");
        var first = await client.NewWalletAsync("codes", ("code", "main"));

        (await api.UnchangedAsync(() => client.PostAsync("/api/v1/wallets", new { wallet = WalletBody("codes", ("code", "main")) })))
            .ExpectLagoValidation("code", "value_already_exist");
        (await api.UnchangedAsync(() => client.PostAsync("/api/v1/customers/codes/wallets", new { wallet = WalletBody(null, ("code", "main")) })))
            .ExpectLagoValidation("code", "value_already_exist");

        (await client.DeleteJsonAsync($"/api/v1/wallets/{first["lago_id"]}")).Ok();
        var second = await client.NewWalletAsync("codes", ("code", "main"));
        Assert.Equal("main", (string?)second["code"]);
        Assert.NotEqual((string?)first["lago_id"], (string?)second["lago_id"]);
    }

    [Fact]
    public async Task A_missing_code_is_made_from_the_name_and_suffixed_with_the_unix_time_when_taken()
    {
        var client = await api.NewOrganizationClientAsync();
        await client.NewCustomerAsync("generated");
        Assert.Equal("main_wallet", (string?)(await client.NewWalletAsync("generated", ("name", "Main Wallet")))["code"]);
        Assert.Equal("default", (string?)(await client.NewWalletAsync("generated"))["code"]);
        Assert.Equal("credit_2026", (string?)(await client.NewWalletAsync("generated", ("name", "  Credit  / 2026!")))["code"]);

        var from = api.Clock.GetUtcNow().ToUnixTimeSeconds();
        var again = (string)(await client.NewWalletAsync("generated", ("name", "Main Wallet")))["code"]!;
        var to = api.Clock.GetUtcNow().ToUnixTimeSeconds();
        Assert.Matches("^main_wallet_[0-9]+$", again);
        Assert.InRange(long.Parse(again["main_wallet_".Length..]), from, to);
    }

    [Fact]
    public async Task A_seventh_active_wallet_is_refused_but_a_terminated_one_frees_its_place()
    {
        var client = await api.NewOrganizationClientAsync();
        await client.NewCustomerAsync("many");
        var wallets = new List<string>();
        for (var i = 0; i < 6; i++) wallets.Add((string)(await client.NewWalletAsync("many", ("code", $"w{i}")))["lago_id"]!);

        (await api.UnchangedAsync(() => client.PostAsync("/api/v1/wallets", new { wallet = WalletBody("many", ("code", "w6")) })))
            .ExpectLagoValidation("customer", "wallet_limit_reached");
        (await api.UnchangedAsync(() => client.PostAsync("/api/v1/customers/many/wallets", new { wallet = WalletBody(null, ("granted_credits", "10")) })))
            .ExpectLagoValidation("customer", "wallet_limit_reached");

        (await client.DeleteJsonAsync($"/api/v1/wallets/{wallets[0]}")).Ok();
        await client.NewWalletAsync("many", ("code", "w6"));
    }

    [Fact]
    public async Task Unknown_fee_types_are_invalid_limitations()
    {
        var client = await api.NewOrganizationClientAsync();
        await client.NewCustomerAsync("limited");
        var wallet = WalletBody("limited", ("applies_to", new { fee_types = new[] { "charge", "bogus" } }));
        (await api.UnchangedAsync(() => client.PostAsync("/api/v1/wallets", new { wallet }))).ExpectLagoValidation("applies_to", "invalid_limitations");
    }

    [Fact]
    public async Task More_than_one_recurring_rule_is_refused()
    {
        var client = await api.NewOrganizationClientAsync();
        await client.NewCustomerAsync("rules");
        var rule = new { trigger = "interval", interval = "monthly", paid_credits = "10" };
        var wallet = WalletBody("rules", ("recurring_transaction_rules", new[] { rule, rule }));
        (await api.UnchangedAsync(() => client.PostAsync("/api/v1/wallets", new { wallet })))
            .ExpectLagoValidation("recurring_transaction_rules", "invalid_number_of_recurring_rules");
    }

    [Theory]
    [InlineData("99", "amount_below_minimum")]
    [InlineData("100.01", "amount_above_maximum")]
    public async Task Initial_paid_credits_outside_the_limits_create_no_wallet_unless_the_limits_are_ignored(string paid, string code)
    {
        var client = await api.NewOrganizationClientAsync();
        await client.NewCustomerAsync("initial");
        var wallet = WalletBody("initial", ("paid_top_up_min_amount_cents", 10000), ("paid_top_up_max_amount_cents", 10000), ("paid_credits", paid));
        (await api.UnchangedAsync(() => client.PostAsync("/api/v1/wallets", new { wallet }))).ExpectLagoValidation("paid_credits", code);

        wallet["ignore_paid_top_up_limits_on_creation"] = true;
        var created = (await client.PostAsync("/api/v1/wallets", new { wallet })).Ok()["wallet"]!;
        Assert.Equal(0L, (long)created["balance_cents"]!);
        var id = Guid.Parse((string)created["lago_id"]!);
        Assert.Equal(1L, await api.ScalarAsync<long>(
            "SELECT count(*) FROM wallet_transactions WHERE wallet_id = @id AND status = 'pending' AND transaction_status = 'purchased'", ("id", id)));
        Assert.Equal(1L, await api.ScalarAsync<long>(
            "SELECT count(*) FROM invoices i JOIN wallet_transactions t ON t.invoice_id = i.id WHERE t.wallet_id = @id AND i.invoice_type = 'credit'", ("id", id)));
    }

    [Theory]
    [InlineData("granted_credits")]
    [InlineData("paid_credits")]
    public async Task Initial_credits_worth_less_than_one_minor_unit_create_no_wallet(string field)
    {
        var client = await api.NewOrganizationClientAsync();
        await client.NewCustomerAsync("yen", currency: null);
        var wallet = WalletBody("yen", ("currency", "JPY"), (field, "0.4"));
        (await api.UnchangedAsync(() => client.PostAsync("/api/v1/wallets", new { wallet }))).ExpectLagoValidation(field, "amount_rounds_to_zero");
        Assert.Equal(0L, await api.ScalarAsync<long>("SELECT count(*) FROM customers WHERE external_id = 'yen' AND currency IS NOT NULL"));
    }

    [Theory]
    [InlineData("1", "9999999999999999999999999", "invalid_amount")]
    [InlineData("1", "92233720368547758.08", "invalid_amount")]
    [InlineData("9999999999999999999999999", "1", "invalid_amount")]
    public async Task Initial_credits_worth_more_minor_units_than_a_balance_holds_create_no_wallet(string rate, string credits, string code)
    {
        var client = await api.NewOrganizationClientAsync();
        await client.NewCustomerAsync("huge");
        foreach (var field in new[] { "paid_credits", "granted_credits" })
            (await api.UnchangedAsync(() => client.PostAsync("/api/v1/wallets", new { wallet = WalletBody("huge", ("rate_amount", rate), (field, credits)) })))
                .ExpectLagoValidation(field, code);

        // Each fits on its own, not both: the purchase, once paid, would overflow the balance.
        var both = WalletBody("huge", ("paid_credits", "50000000000000000"), ("granted_credits", "50000000000000000"));
        (await api.UnchangedAsync(() => client.PostAsync("/api/v1/wallets", new { wallet = both }))).ExpectLagoValidation("granted_credits", "invalid_amount");
    }

    [Fact]
    public async Task Initial_transaction_metadata_beyond_lagos_limits_creates_no_wallet()
    {
        var client = await api.NewOrganizationClientAsync();
        await client.NewCustomerAsync("meta");
        var cases = new (object Metadata, string Code)[]
        {
            (Enumerable.Range(0, 16).Select(i => new { key = $"k{i}", value = "v" }).ToArray(), "too_many_keys"),
            (new[] { new { key = new string('k', 21), value = "v" } }, "key_too_long"),
            (new[] { new { key = "k", value = new string('v', 101) } }, "value_too_long"),
            (new[] { new { key = "k", value = "" } }, "invalid_key_value_pair"),
        };
        foreach (var (metadata, code) in cases)
        {
            // Lago checks them with the transactions' metadata validator, which names the field `metadata`.
            var wallet = WalletBody("meta", ("granted_credits", "10"), ("transaction_metadata", metadata));
            (await api.UnchangedAsync(() => client.PostAsync("/api/v1/wallets", new { wallet }))).ExpectLagoValidation("metadata", code);
        }
    }

    [Fact]
    public async Task A_wrongly_typed_field_is_a_422_never_a_500()
    {
        var client = await api.NewOrganizationClientAsync();
        await client.NewCustomerAsync("typed");
        foreach (var (field, value) in new (string, object)[]
        {
            ("applies_to", "charge"), ("recurring_transaction_rules", "monthly"), ("metadata", new[] { 1 }),
            ("transaction_metadata", "x"), ("invoice_requires_successful_payment", new { }),
        })
        {
            (await api.UnchangedAsync(() => client.PostAsync("/api/v1/wallets", new { wallet = WalletBody("typed", (field, value)) })))
                .ExpectLagoValidation(field, "value_is_invalid");
        }
    }
}
