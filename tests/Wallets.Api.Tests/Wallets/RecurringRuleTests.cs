using System.Text.Json.Nodes;
using Wallets.Api.Tests.Infrastructure;

namespace Wallets.Api.Tests.Wallets;

/// <summary>A wallet's recurring transaction rules as its create, update, reads and termination show them (api-contract.md §8.3).</summary>
public sealed class RecurringRuleTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private static JsonNode Rule(JsonNode wallet) => Assert.Single(wallet["recurring_transaction_rules"]!.AsArray())!;

    [Fact]
    public async Task A_rule_created_with_its_wallet_has_Lagos_shape_in_every_answer()
    {
        var client = await api.NewOrganizationClientAsync();
        await client.NewCustomerAsync("shape");
        var created = await client.NewWalletAsync("shape", ("code", "main"), ("invoice_requires_successful_payment", true), ("recurring_transaction_rules", new[]
        {
            new
            {
                trigger = "threshold", method = "target", threshold_credits = "20", target_ongoing_balance = "150.5", grants_target_top_up = true,
                started_at = "2026-02-01T00:00:00Z", expiration_at = "2027-01-01T00:00:00Z", transaction_name = "Auto top-up",
                transaction_metadata = new[] { new { key = "source", value = "rule" } },
            },
        }));
        var rule = Rule(created);
        Assert.Equal(
            ["lago_id", "trigger", "method", "interval", "status", "threshold_credits", "paid_credits", "granted_credits", "grants_target_top_up",
             "started_at", "target_ongoing_balance", "created_at", "expiration_at", "invoice_requires_successful_payment", "transaction_metadata",
             "transaction_name", "ignore_paid_top_up_limits", "applied_invoice_custom_sections", "payment_method", "purchase_order_number",
             "transaction_expiration_days"],
            rule.AsObject().Select(p => p.Key).ToArray());
        Assert.Equal("threshold", (string?)rule["trigger"]);
        Assert.Equal("target", (string?)rule["method"]);
        Assert.Null(rule["interval"]);
        Assert.Equal("active", (string?)rule["status"]);
        Assert.Equal("20.0", (string?)rule["threshold_credits"]);
        Assert.Equal("0.0", (string?)rule["paid_credits"]);
        Assert.Equal("0.0", (string?)rule["granted_credits"]);
        Assert.Equal("150.5", (string?)rule["target_ongoing_balance"]);
        Assert.True((bool)rule["grants_target_top_up"]!);
        Assert.Equal("2026-02-01T00:00:00Z", (string?)rule["started_at"]);
        Assert.Equal("2027-01-01T00:00:00Z", (string?)rule["expiration_at"]);
        Assert.True((bool)rule["invoice_requires_successful_payment"]!); // the wallet's, as nothing else was sent
        Assert.False((bool)rule["ignore_paid_top_up_limits"]!);
        Assert.Equal("Auto top-up", (string?)rule["transaction_name"]);
        Assert.Equal("""[{"key":"source","value":"rule"}]""", rule["transaction_metadata"]!.ToJsonString());

        // Every read shows the same rule: by id, by code, in lists.
        var id = (string)created["lago_id"]!;
        Assert.True(JsonNode.DeepEquals(rule, Rule(await client.GetWalletAsync(id))));
        Assert.True(JsonNode.DeepEquals(rule, Rule((await client.GetJsonAsync("/api/v1/customers/shape/wallets/main")).Ok()["wallet"]!)));
        var listed = (await client.GetJsonAsync("/api/v1/wallets?external_customer_id=shape")).Ok()["wallets"]!.AsArray();
        Assert.True(JsonNode.DeepEquals(rule, Rule(listed.Single()!)));
    }

    [Fact]
    public async Task A_fixed_rule_without_credits_takes_the_wallets_initial_credits_and_defaults_follow_Lago()
    {
        var client = await api.NewOrganizationClientAsync();
        await client.NewCustomerAsync("fixed");
        var wallet = await client.NewWalletAsync("fixed", ("paid_credits", "10"), ("granted_credits", "5"),
            ("recurring_transaction_rules", new[] { new { trigger = "interval", interval = "monthly" } }));
        var rule = Rule(wallet);
        Assert.Equal("fixed", (string?)rule["method"]);
        Assert.Equal("monthly", (string?)rule["interval"]);
        Assert.Equal("10.0", (string?)rule["paid_credits"]);
        Assert.Equal("5.0", (string?)rule["granted_credits"]);
        Assert.Equal("0.0", (string?)rule["threshold_credits"]);
        Assert.Null(rule["target_ongoing_balance"]);
        Assert.False((bool)rule["grants_target_top_up"]!);
        Assert.Null(rule["started_at"]);
        Assert.Null(rule["transaction_name"]);
        Assert.Empty(rule["transaction_metadata"]!.AsArray());
    }

    public static TheoryData<string, object> InvalidRules => new()
    {
        { "unknown trigger", new { trigger = "daily", interval = "monthly" } },
        { "no trigger", new { interval = "monthly", paid_credits = "1" } },
        { "interval trigger without interval", new { trigger = "interval", paid_credits = "1" } },
        { "unknown interval", new { trigger = "interval", interval = "daily", paid_credits = "1" } },
        { "threshold without threshold", new { trigger = "threshold", paid_credits = "1" } },
        { "threshold not a decimal", new { trigger = "threshold", threshold_credits = "ten", paid_credits = "1" } },
        { "unknown method", new { trigger = "threshold", threshold_credits = "1", method = "double" } },
        { "target without target", new { trigger = "interval", interval = "weekly", method = "target" } },
        { "target below threshold", new { trigger = "threshold", threshold_credits = "50", method = "target", target_ongoing_balance = "49" } },
        { "negative credits", new { trigger = "interval", interval = "weekly", paid_credits = "-1" } },
        { "credits not a decimal", new { trigger = "interval", interval = "weekly", granted_credits = "lots" } },
        { "grants_target_top_up on a fixed rule", new { trigger = "interval", interval = "weekly", paid_credits = "1", grants_target_top_up = false } },
        { "expiration in the past", new { trigger = "interval", interval = "weekly", paid_credits = "1", expiration_at = "2020-01-01T00:00:00Z" } },
        { "expiration not a date", new { trigger = "interval", interval = "weekly", paid_credits = "1", expiration_at = "soon" } },
        { "started_at not a date", new { trigger = "interval", interval = "weekly", paid_credits = "1", started_at = "yesterday" } },
        { "metadata without a value", new { trigger = "interval", interval = "weekly", paid_credits = "1", transaction_metadata = new[] { new { key = "k" } } } },
        { "transaction name too long", new { trigger = "interval", interval = "weekly", paid_credits = "1", transaction_name = new string('n', 256) } },
        { "paid credits below the wallet's minimum", new { trigger = "interval", interval = "weekly", paid_credits = "0.5" } },
        { "paid credits above the wallet's maximum", new { trigger = "threshold", threshold_credits = "1", paid_credits = "1000.01" } },
        { "a rule that is not an object", "monthly" },
    };

    [Theory]
    [MemberData(nameof(InvalidRules))]
    public async Task An_invalid_rule_refuses_the_whole_wallet_and_changes_nothing(string why, object rule)
    {
        var client = await api.NewOrganizationClientAsync();
        await client.NewCustomerAsync("invalid");
        var wallet = ValidationSetup.WalletBody("invalid", ("paid_top_up_min_amount_cents", 100), ("paid_top_up_max_amount_cents", 100000),
            ("recurring_transaction_rules", new[] { rule }));
        var reply = await api.UnchangedAsync(() => client.PostAsync("/api/v1/wallets", new { wallet }));
        Assert.True(reply.Status == System.Net.HttpStatusCode.UnprocessableEntity, $"{why}: {reply.Text}");
        reply.ExpectLagoValidation("recurring_transaction_rules", "invalid_recurring_rule");
    }

    [Fact]
    public async Task An_update_keeps_the_rule_it_names_replaces_others_and_an_empty_list_ends_them_all()
    {
        var client = await api.NewOrganizationClientAsync();
        await client.NewCustomerAsync("update");
        var wallet = await client.NewWalletAsync("update", ("code", "main"),
            ("recurring_transaction_rules", new[] { new { trigger = "interval", interval = "monthly", paid_credits = "10" } }));
        var id = (string)wallet["lago_id"]!;
        var first = Rule(wallet);
        Task<Reply> Update(object body) => client.PutAsync($"/api/v1/wallets/{id}", new { wallet = body });

        // Without the key, the rule is untouched; with its lago_id, it is updated in place.
        Assert.True(JsonNode.DeepEquals(first, Rule((await Update(new { name = "Renamed" })).Ok()["wallet"]!)));
        var updated = Rule((await Update(new { recurring_transaction_rules = new[] { new { lago_id = (string)first["lago_id"]!, trigger = "interval", granted_credits = "3", interval = "weekly" } } })).Ok()["wallet"]!);
        Assert.Equal((string)first["lago_id"]!, (string)updated["lago_id"]!);
        Assert.Equal("weekly", (string?)updated["interval"]);
        Assert.Equal("10.0", (string?)updated["paid_credits"]);
        Assert.Equal("3.0", (string?)updated["granted_credits"]);

        // A rule without a known lago_id replaces the wallet's rules: the old one is terminated, not shown.
        var replaced = Rule((await client.PutAsync("/api/v1/customers/update/wallets/main", new
        {
            wallet = new { recurring_transaction_rules = new[] { new { lago_id = Guid.NewGuid().ToString(), trigger = "threshold", threshold_credits = "5", granted_credits = "20" } } },
        })).Ok()["wallet"]!);
        Assert.NotEqual((string)first["lago_id"]!, (string)replaced["lago_id"]!);
        Assert.Equal("threshold", (string?)replaced["trigger"]);
        Assert.Equal("terminated", await api.ScalarAsync<string>($"SELECT status FROM recurring_transaction_rules WHERE id = '{first["lago_id"]}'"));
        Assert.Equal(1L, await api.ScalarAsync<long>($"SELECT count(*) FROM recurring_transaction_rules WHERE wallet_id = '{id}' AND status = 'active' AND terminated_at IS NULL"));

        // Each item is checked as a whole rule, as Lago does: one naming the rule without its trigger is refused, and a
        // refused update changes nothing. An empty list terminates them all.
        (await api.UnchangedAsync(() => Update(new { recurring_transaction_rules = new[] { new { lago_id = (string)replaced["lago_id"]!, threshold_credits = "6" } } })))
            .ExpectLagoValidation("recurring_transaction_rules", "invalid_recurring_rule");
        (await api.UnchangedAsync(() => Update(new { name = "X", recurring_transaction_rules = new[] { new { lago_id = (string)replaced["lago_id"]!, method = "target" } } })))
            .ExpectLagoValidation("recurring_transaction_rules", "invalid_recurring_rule");
        Assert.Empty((await Update(new { recurring_transaction_rules = Array.Empty<object>() })).Ok()["wallet"]!["recurring_transaction_rules"]!.AsArray());
        Assert.Empty((await client.GetWalletAsync(id))["recurring_transaction_rules"]!.AsArray());
        Assert.Equal(0L, await api.ScalarAsync<long>($"SELECT count(*) FROM recurring_transaction_rules WHERE wallet_id = '{id}' AND status = 'active'"));
    }

    [Fact]
    public async Task New_paid_top_up_limits_must_still_fit_the_active_fixed_rule()
    {
        var client = await api.NewOrganizationClientAsync();
        await client.NewCustomerAsync("limits");
        var id = (string)(await client.NewWalletAsync("limits",
            ("recurring_transaction_rules", new[] { new { trigger = "threshold", threshold_credits = "5", paid_credits = "50" } })))["lago_id"]!;
        (await api.UnchangedAsync(() => client.PutAsync($"/api/v1/wallets/{id}", new { wallet = new { paid_top_up_max_amount_cents = 4999 } })))
            .ExpectLagoValidation("recurring_transaction_rules", "invalid_recurring_rule");
        (await client.PutAsync($"/api/v1/wallets/{id}", new { wallet = new { paid_top_up_max_amount_cents = 5000 } })).Ok();
    }

    [Fact]
    public async Task Terminating_a_wallet_terminates_its_rule()
    {
        var client = await api.NewOrganizationClientAsync();
        await client.NewCustomerAsync("ended");
        var wallet = await client.NewWalletAsync("ended", ("recurring_transaction_rules", new[] { new { trigger = "threshold", threshold_credits = "1", granted_credits = "5" } }));
        var id = (string)wallet["lago_id"]!;
        var terminated = (await client.DeleteJsonAsync($"/api/v1/wallets/{id}")).Ok()["wallet"]!;
        Assert.Empty(terminated["recurring_transaction_rules"]!.AsArray());
        Assert.Equal("terminated", await api.ScalarAsync<string>($"SELECT status FROM recurring_transaction_rules WHERE wallet_id = '{id}'"));
    }

    [Fact]
    public async Task Concurrent_updates_leave_one_active_rule()
    {
        var client = await api.NewOrganizationClientAsync();
        await client.NewCustomerAsync("race");
        var id = (string)(await client.NewWalletAsync("race"))["lago_id"]!;
        var replies = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => client.PutAsync($"/api/v1/wallets/{id}", new
        {
            wallet = new { recurring_transaction_rules = new[] { new { trigger = "interval", interval = "monthly", granted_credits = $"{i + 1}" } } },
        })));
        Assert.All(replies, r => r.Ok());
        Assert.Equal(1L, await api.ScalarAsync<long>($"SELECT count(*) FROM recurring_transaction_rules WHERE wallet_id = '{id}' AND status = 'active'"));
        Assert.Equal(7L, await api.ScalarAsync<long>($"SELECT count(*) FROM recurring_transaction_rules WHERE wallet_id = '{id}' AND status = 'terminated'"));
    }
}
