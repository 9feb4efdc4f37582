using Wallets.Api.Tests.Infrastructure;

namespace Wallets.Api.Tests.Wallets;

/// <summary>Wallet CRUD by id and by code, listing filters, metadata, and the wallet object's fields.</summary>
public sealed class WalletApiTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task A_new_wallet_shows_every_field_of_lagos_wallet_object_and_sets_the_customer_currency()
    {
        var client = await api.NewOrganizationClientAsync();
        var wallet = await client.WalletAsync("fields", new
        {
            name = "Prepaid", priority = 7, granted_credits = "12.5", paid_top_up_min_amount_cents = 100, paid_top_up_max_amount_cents = 100000,
            invoice_requires_successful_payment = true, applies_to = new { fee_types = new[] { "charge" }, billable_metric_codes = new[] { "gb" } },
            metadata = new { team = "core" },
        }, rate: "2", currency: "EUR");

        foreach (var field in new[]
        {
            "lago_id", "lago_customer_id", "external_customer_id", "status", "currency", "name", "code", "priority", "rate_amount",
            "credits_balance", "balance_cents", "consumed_credits", "credits_ongoing_balance", "credits_ongoing_usage_balance",
            "ongoing_balance_cents", "ongoing_usage_balance_cents", "created_at", "expiration_at", "last_balance_sync_at",
            "last_consumed_credit_at", "terminated_at", "invoice_requires_successful_payment", "paid_top_up_min_amount_cents",
            "paid_top_up_max_amount_cents", "recurring_transaction_rules", "applies_to", "applied_invoice_custom_sections", "payment_method",
        })
        {
            Assert.True(wallet.AsObject().ContainsKey(field), $"wallet has no {field}");
        }
        Assert.Equal("2.0", (string?)wallet["rate_amount"]);
        Assert.Equal("12.5", (string?)wallet["credits_balance"]);
        Assert.Equal(2500, (long)wallet["balance_cents"]!);
        Assert.Equal(2500, (long)wallet["ongoing_balance_cents"]!);
        Assert.Equal("12.5", (string?)wallet["credits_ongoing_balance"]);
        Assert.Equal(7, (int)wallet["priority"]!);
        Assert.Equal("charge", (string?)wallet["applies_to"]!["fee_types"]![0]);
        Assert.Equal("core", (string?)wallet["metadata"]!["team"]);
        Assert.Equal("EUR", (string?)(await client.GetJsonAsync("/api/v1/customers/fields")).Ok()["customer"]!["currency"]);
    }

    [Fact]
    public async Task Update_changes_only_what_is_sent_and_keeps_rate_and_currency()
    {
        var client = await api.NewOrganizationClientAsync();
        var wallet = await client.WalletAsync("upd", new { name = "Before", priority = 20, metadata = new { a = "1" } });
        var updated = (await client.PutAsync($"/api/v1/wallets/{wallet.Id()}", new
        {
            wallet = new { name = "After", code = "renamed", expiration_at = api.Clock.GetUtcNow().AddDays(30).ToString("O"), rate_amount = "9", currency = "EUR" },
        })).Ok()["wallet"]!;
        Assert.Equal("After", (string?)updated["name"]);
        Assert.Equal("renamed", (string?)updated["code"]);
        Assert.Equal(20, (int)updated["priority"]!);
        Assert.Equal("1.0", (string?)updated["rate_amount"]);
        Assert.Equal("USD", (string?)updated["currency"]);
        Assert.NotNull((string?)updated["expiration_at"]);
        Assert.Equal("1", (string?)updated["metadata"]!["a"]);
    }

    [Fact]
    public async Task Customer_scoped_routes_address_wallets_by_code_and_prefer_the_active_one()
    {
        var client = await api.NewOrganizationClientAsync();
        await client.CustomerAsync("scoped");
        var first = (await client.PostAsync("/api/v1/customers/scoped/wallets", new { wallet = new { rate_amount = "1", currency = "USD", code = "main", granted_credits = "3" } })).Ok()["wallet"]!;
        Assert.Equal("scoped", (string?)first["external_customer_id"]);
        (await client.DeleteJsonAsync("/api/v1/customers/scoped/wallets/main")).Ok();
        var second = (await client.PostAsync("/api/v1/customers/scoped/wallets", new { wallet = new { rate_amount = "1", currency = "USD", code = "main" } })).Ok()["wallet"]!;

        var found = (await client.GetJsonAsync("/api/v1/customers/scoped/wallets/main")).Ok()["wallet"]!;
        Assert.Equal(second.Id(), found.Id());
        var updated = (await client.PutAsync("/api/v1/customers/scoped/wallets/main", new { wallet = new { name = "Scoped" } })).Ok()["wallet"]!;
        Assert.Equal("Scoped", (string?)updated["name"]);

        var list = (await client.GetJsonAsync("/api/v1/customers/scoped/wallets")).Ok();
        Assert.Equal(2, (int)list["meta"]!["total_count"]!);
        Assert.Equal([second.Id(), first.Id()], list["wallets"]!.AsArray().Select(w => w!.Id()));
        (await client.GetJsonAsync("/api/v1/customers/scoped/wallets/nope")).ExpectNotFound("wallet");
        (await client.GetJsonAsync("/api/v1/customers/nobody/wallets/main")).ExpectNotFound("customer");
        (await client.GetJsonAsync("/api/v1/customers/nobody/wallets")).ExpectNotFound("customer");
    }

    [Fact]
    public async Task Listing_filters_by_customer_and_currency_and_an_unknown_customer_is_a_404()
    {
        var client = await api.NewOrganizationClientAsync();
        await client.WalletAsync("list-a", currency: "USD");
        await client.WalletAsync("list-b", currency: "EUR");
        Assert.Equal(2, (int)(await client.GetJsonAsync("/api/v1/wallets")).Ok()["meta"]!["total_count"]!);
        var onlyA = (await client.GetJsonAsync("/api/v1/wallets?external_customer_id=list-a")).Ok()["wallets"]!.AsArray();
        Assert.Equal("list-a", (string?)Assert.Single(onlyA)!["external_customer_id"]);
        Assert.Equal("EUR", (string?)Assert.Single((await client.GetJsonAsync("/api/v1/wallets?currency=EUR")).Ok()["wallets"]!.AsArray())!["currency"]);
        (await client.GetJsonAsync("/api/v1/wallets?external_customer_id=ghost")).ExpectNotFound("customer");
    }

    [Fact]
    public async Task Metadata_can_be_replaced_merged_and_deleted_by_id_or_by_code()
    {
        var client = await api.NewOrganizationClientAsync();
        var wallet = await client.WalletAsync("meta", new { code = "m", metadata = new { a = "1", b = "2" } });
        var path = $"/api/v1/wallets/{wallet.Id()}/metadata";

        Assert.Equal("""{"metadata":{"c":"3"}}""", (await client.PostAsync(path, new { metadata = new { c = "3" } })).Ok().ToJsonString());
        Assert.Equal("""{"metadata":{"c":"4","d":null}}""", (await client.PatchAsync(path, new { metadata = new { c = "4", d = (string?)null } })).Ok().ToJsonString());
        Assert.Equal("""{"metadata":{"d":null}}""", (await client.DeleteJsonAsync($"{path}/c")).Ok().ToJsonString());
        Assert.Equal("""{"metadata":{"x":"y"}}""", (await client.PostAsync("/api/v1/customers/meta/wallets/m/metadata", new { metadata = new { x = "y" } })).Ok().ToJsonString());
        Assert.Equal("""{"metadata":{}}""", (await client.DeleteJsonAsync(path)).Ok().ToJsonString());
        Assert.False((await client.GetWalletAsync(wallet.Id())).AsObject().ContainsKey("metadata"));

        (await client.PostAsync(path, new { metadata = new { k = new string('v', 256) } })).ExpectValidation("metadata", "value_too_long");
        // PostgreSQL cannot store a NUL character.
        (await client.PatchAsync(path, new { metadata = new { k = "a\0b" } })).ExpectValidation("metadata", "invalid_value");
        (await client.PostAsync("/api/v1/wallets/00000000-0000-0000-0000-000000000000/metadata", new { metadata = new { a = "1" } })).ExpectNotFound("wallet");
    }

    [Fact]
    public async Task Transactions_filter_by_status_type_kind_and_metadata()
    {
        var client = await api.NewOrganizationClientAsync();
        var wallet = await client.WalletAsync("filters", new { granted_credits = "10" });
        await client.TransactAsync(wallet.Id(), new { paid_credits = "5", metadata = new[] { new { key = "source", value = "web" } } });
        await client.TransactAsync(wallet.Id(), new { voided_credits = "1", metadata = new[] { new { key = "source", value = "ops" } } });

        async Task<int> Count(string query) =>
            (int)(await client.GetJsonAsync($"/api/v1/wallets/{wallet.Id()}/wallet_transactions?{query}")).Ok()["meta"]!["total_count"]!;
        Assert.Equal(3, await Count(""));
        Assert.Equal(1, await Count("status=pending"));
        Assert.Equal(2, await Count("transaction_type=inbound"));
        Assert.Equal(1, await Count("transaction_status=voided"));
        Assert.Equal(1, await Count("metadata[source]=web"));
        Assert.Equal(0, await Count("metadata[source]=nope"));
        Assert.Equal(3, await Count("status=bogus"));
        (await client.GetJsonAsync("/api/v1/wallets/00000000-0000-0000-0000-000000000000/wallet_transactions")).ExpectNotFound("wallet");
    }
}

public sealed class WalletCurrencyTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Without_a_currency_the_wallet_takes_the_customers_and_without_either_it_is_mandatory()
    {
        var client = await api.NewOrganizationClientAsync();
        await client.CustomerAsync("has-currency", "EUR");
        var wallet = (await client.PostAsync("/api/v1/wallets", new { wallet = new { external_customer_id = "has-currency", rate_amount = "1" } })).Ok()["wallet"]!;
        Assert.Equal("EUR", (string?)wallet["currency"]);

        await client.CustomerAsync("no-currency");
        (await client.PostAsync("/api/v1/wallets", new { wallet = new { external_customer_id = "no-currency", rate_amount = "1" } }))
            .ExpectValidation("currency", "value_is_mandatory");
        Assert.Equal(1L, await api.ScalarAsync<long>("SELECT count(*) FROM wallets"));
    }
}
