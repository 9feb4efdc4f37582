using System.Diagnostics.Metrics;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Wallets.Api.Jobs;
using Wallets.Api.Tests.Infrastructure;

namespace Wallets.Api.Tests.Wallets;

/// <summary>The recurring top-up job: threshold rules at the real-time ongoing balance, interval rules on their anniversaries.</summary>
public sealed class RecurringTopUpTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private RecurringTopUpJob Job => api.Services.GetRequiredService<RecurringTopUpJob>();

    /// <summary>A customer in USD subscribed to a plan charging 1.00 per `calls` event, with a wallet (rate 1) holding 100 granted credits.</summary>
    private async Task<(HttpClient Client, string Wallet, string Subscription)> UsageWalletAsync(string name, params object[] rules)
    {
        var client = await api.NewOrganizationClientAsync();
        var metric = await client.MetricAsync("calls");
        await client.PlanAsync($"plan-{name}", "USD", UsageSetup.Standard(metric, "1"));
        var wallet = await client.WalletAsync(name, new { granted_credits = "100", recurring_transaction_rules = rules });
        await client.SubscribeAsync(name, $"sub-{name}", $"plan-{name}");
        return (client, wallet.Id(), $"sub-{name}");
    }

    private static async Task CallsAsync(HttpClient client, string subscription, int count) =>
        (await client.PostAsync("/api/v1/events/batch", new
        {
            events = Enumerable.Range(0, count).Select(_ => new { transaction_id = Guid.NewGuid().ToString("N"), external_subscription_id = subscription, code = "calls" }),
        })).Ok();

    private static async Task<JsonArray> TransactionsAsync(HttpClient client, string wallet) =>
        (await client.GetJsonAsync($"/api/v1/wallets/{wallet}/wallet_transactions")).Ok()["wallet_transactions"]!.AsArray();

    /// <summary>The wallet's top-ups made by its rule (`source` threshold or interval), oldest first.</summary>
    private static async Task<List<JsonNode>> TopUpsAsync(HttpClient client, string wallet, string source) =>
        (await TransactionsAsync(client, wallet)).Where(t => (string?)t!["source"] == source).Reverse().Select(t => t!).ToList();

    /// <summary>One round of the job. Other tests' wallets share the database, so tests look at their own wallet's top-ups.</summary>
    private Task RoundAsync() => Job.RunOnceAsync(CancellationToken.None);

    [Fact]
    public async Task A_threshold_rule_grants_its_credits_once_the_ongoing_balance_reaches_the_threshold()
    {
        var (client, wallet, subscription) = await UsageWalletAsync("threshold", new
        {
            trigger = "threshold", threshold_credits = "20", granted_credits = "50", transaction_name = "Refill",
            transaction_metadata = new[] { new { key = "why", value = "threshold" } },
        });
        await CallsAsync(client, subscription, 79);
        Assert.Equal("21.0", (string?)(await client.GetWalletAsync(wallet))["credits_ongoing_balance"]);
        await RoundAsync();
        Assert.Empty(await TopUpsAsync(client, wallet, "threshold"));

        // One more event: the live ongoing balance is at the threshold, and the next round tops up.
        await CallsAsync(client, subscription, 1);
        await RoundAsync();
        var refill = Assert.Single(await TopUpsAsync(client, wallet, "threshold"));
        Assert.Equal("granted", (string?)refill["transaction_status"]);
        Assert.Equal("settled", (string?)refill["status"]);
        Assert.Equal("50.0", (string?)refill["credit_amount"]);
        Assert.Equal("Refill", (string?)refill["name"]);
        Assert.Equal("""[{"key":"why","value":"threshold"}]""", refill["metadata"]!.ToJsonString());
        var after = await client.GetWalletAsync(wallet);
        Assert.Equal("150.0", (string?)after["credits_balance"]);
        Assert.Equal("70.0", (string?)after["credits_ongoing_balance"]);

        // Above the threshold again: nothing more, however often the job runs.
        await RoundAsync();
        api.Clock.Advance(TimeSpan.FromMinutes(2));
        await RoundAsync();
        Assert.Single(await TopUpsAsync(client, wallet, "threshold"));
        await LedgerInvariants.AssertAsync(api);
    }

    [Fact]
    public async Task A_failing_top_up_is_counted_and_holds_no_other_wallet_back()
    {
        var rule = new { trigger = "threshold", threshold_credits = "20", granted_credits = "50" };
        var (client, broken, _) = await UsageWalletAsync("broken", rule);
        var (fineClient, fine, fineSubscription) = await UsageWalletAsync("fine", rule);
        // Other tests' wallets may still be due: a round first, so the counters below are this test's.
        await RoundAsync();
        using var counters = new MeterCounters(api.Services.GetRequiredService<IMeterFactory>());
        // A balance that says less than its grants hold (written behind the ledger's back): any change to it fails at commit.
        const string drift = "ALTER TABLE wallets DISABLE TRIGGER wallet_balance_matches_grants; UPDATE wallets SET balance_cents = balance_cents + @cents WHERE id = @id; ALTER TABLE wallets ENABLE TRIGGER wallet_balance_matches_grants; SELECT 1";
        await api.ScalarAsync<int>(drift, ("cents", -9_000L), ("id", Guid.Parse(broken)));
        await CallsAsync(fineClient, fineSubscription, 80);

        await RoundAsync();
        Assert.Empty(await TopUpsAsync(client, broken, "threshold"));
        Assert.Single(await TopUpsAsync(fineClient, fine, "threshold"));
        Assert.Equal((1L, 1L), (counters["wallets.top_ups"], counters["wallets.top_ups.failed"]));

        await api.ScalarAsync<int>(drift, ("cents", 9_000L), ("id", Guid.Parse(broken)));
        await LedgerInvariants.AssertAsync(api);
    }

    [Fact]
    public async Task Concurrent_rounds_top_a_wallet_up_once()
    {
        // 60 calls leave 40 credits; one top-up of 10 lifts the wallet above the threshold of 45.
        var (client, wallet, subscription) = await UsageWalletAsync("race", new { trigger = "threshold", threshold_credits = "45", granted_credits = "10" });
        await CallsAsync(client, subscription, 60);
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => RoundAsync()));
        Assert.Single(await TopUpsAsync(client, wallet, "threshold"));
        await LedgerInvariants.AssertAsync(api);
    }

    [Fact]
    public async Task A_paid_threshold_top_up_waits_for_its_payment_and_backs_off_for_an_hour_when_it_fails()
    {
        var (client, wallet, subscription) = await UsageWalletAsync("paid", new { trigger = "threshold", threshold_credits = "20", paid_credits = "30" });
        await CallsAsync(client, subscription, 90);
        await RoundAsync();
        var purchase = Assert.Single(await TopUpsAsync(client, wallet, "threshold"));
        Assert.Equal("purchased", (string?)purchase["transaction_status"]);
        Assert.Equal("pending", (string?)purchase["status"]);
        Assert.Equal("30.0", (string?)purchase["credit_amount"]);

        // Still at 10 credits, but the pending purchase would lift it above the threshold: no second purchase.
        await RoundAsync();
        Assert.Single(await TopUpsAsync(client, wallet, "threshold"));

        // Its payment fails: no new attempt within the hour, then one (at the next round that checks every wallet, as
        // nothing about this one changes when the hour is over).
        (await client.PutAsync($"/api/v1/invoices/{(string)purchase["lago_invoice_id"]!}", new { invoice = new { payment_status = "failed" } })).Ok();
        await RoundAsync();
        api.Clock.Advance(TimeSpan.FromMinutes(59));
        await RoundAsync();
        Assert.Single(await TopUpsAsync(client, wallet, "threshold"));
        api.Clock.Advance(TimeSpan.FromMinutes(6));
        await RoundAsync();
        var again = await TopUpsAsync(client, wallet, "threshold");
        Assert.Equal(2, again.Count);
        Assert.Equal(["failed", "pending"], again.Select(t => (string?)t["status"]));
    }

    [Fact]
    public async Task A_fixed_threshold_rule_buys_enough_multiples_to_close_the_gap_within_the_wallets_maximum()
    {
        var (client, wallet, subscription) = await UsageWalletAsync("multiples", new { trigger = "threshold", threshold_credits = "20", paid_credits = "25" });
        await CallsAsync(client, subscription, 100);
        await CallsAsync(client, subscription, 30);
        // Ongoing −30: the gap 20 − (−30) = 50 is two multiples of 25, and one more.
        await RoundAsync();
        Assert.Equal("75.0", (string?)Assert.Single(await TopUpsAsync(client, wallet, "threshold"))["credit_amount"]);

        var (capped, cappedWallet, cappedSubscription) = await UsageWalletAsync("capped", new { trigger = "threshold", threshold_credits = "20", paid_credits = "25" });
        (await capped.PutAsync($"/api/v1/wallets/{cappedWallet}", new { wallet = new { paid_top_up_max_amount_cents = 6000 } })).Ok();
        await CallsAsync(capped, cappedSubscription, 100);
        await CallsAsync(capped, cappedSubscription, 30);
        // At most 60.00: two multiples.
        await RoundAsync();
        Assert.Equal("50.0", (string?)Assert.Single(await TopUpsAsync(capped, cappedWallet, "threshold"))["credit_amount"]);
    }

    [Fact]
    public async Task A_threshold_wallet_takes_all_the_usage_that_reaches_it()
    {
        var (client, threshold, subscription) = await UsageWalletAsync("cascade", new { trigger = "threshold", threshold_credits = "0", granted_credits = "30" });
        // A second wallet of the same priority, applied after the first (it is newer): without the rule, it would take the
        // usage beyond the first one's balance.
        var other = await client.WalletAsync("cascade", new { code = "second", granted_credits = "100" });
        await CallsAsync(client, subscription, 100);
        await CallsAsync(client, subscription, 20);
        Assert.Equal("-20.0", (string?)(await client.GetWalletAsync(threshold))["credits_ongoing_balance"]);
        Assert.Equal("100.0", (string?)(await client.GetWalletAsync(other.Id()))["credits_ongoing_balance"]);
        await RoundAsync();
        Assert.Single(await TopUpsAsync(client, threshold, "threshold"));
        Assert.Equal("10.0", (string?)(await client.GetWalletAsync(threshold))["credits_ongoing_balance"]);
    }

    [Fact]
    public async Task An_interval_rule_tops_up_on_each_anniversary_once()
    {
        var client = await api.NewOrganizationClientAsync();
        var start = api.Clock.GetUtcNow();
        var wallet = (await client.WalletAsync("monthly", new
        {
            granted_credits = "5",
            recurring_transaction_rules = new[] { new { trigger = "interval", interval = "monthly", paid_credits = "10", granted_credits = "2" } },
        })).Id();

        // Not on the day the wallet is created, nor on other days.
        await RoundAsync();
        api.Clock.Advance(TimeSpan.FromDays(3));
        await RoundAsync();
        Assert.Empty(await TopUpsAsync(client, wallet, "interval"));

        // A month after: a purchase and a grant, once that day.
        api.Clock.AdvanceTo(start.AddMonths(1).AddHours(2));
        await RoundAsync();
        api.Clock.Advance(TimeSpan.FromHours(3));
        await RoundAsync();
        var made = await TopUpsAsync(client, wallet, "interval");
        Assert.Equal(2, made.Count);
        Assert.Contains(made, t => (string?)t["transaction_status"] == "purchased" && (string?)t["credit_amount"] == "10.0" && (string?)t["status"] == "pending");
        Assert.Contains(made, t => (string?)t["transaction_status"] == "granted" && (string?)t["credit_amount"] == "2.0" && (string?)t["status"] == "settled");

        api.Clock.AdvanceTo(start.AddMonths(2).AddHours(1));
        await RoundAsync();
        Assert.Equal(4, (await TopUpsAsync(client, wallet, "interval")).Count);
        await LedgerInvariants.AssertAsync(api);
    }

    [Fact]
    public async Task Anniversaries_are_days_in_the_customers_time_zone()
    {
        var client = await api.NewOrganizationClientAsync();
        // 20:00 UTC is 05:00 the next day in Tokyo.
        var now = api.Clock.GetUtcNow();
        var evening = new DateTimeOffset(now.Year, now.Month, now.Day, 20, 0, 0, TimeSpan.Zero).AddDays(1);
        api.Clock.AdvanceTo(evening);
        (await client.PostAsync("/api/v1/customers", new { customer = new { external_id = "tokyo", currency = "USD", timezone = "Asia/Tokyo" } })).Ok();
        var wallet = (string)(await client.PostAsync("/api/v1/wallets", new
        {
            wallet = new
            {
                external_customer_id = "tokyo", rate_amount = "1", currency = "USD",
                recurring_transaction_rules = new[] { new { trigger = "interval", interval = "weekly", granted_credits = "7" } },
            },
        })).Ok()["wallet"]!["lago_id"]!;

        // A week later at 10:00 UTC it is still the day before the anniversary in Tokyo (19:00); at 16:00 UTC it is the day.
        api.Clock.AdvanceTo(evening.AddDays(7).AddHours(-10));
        await RoundAsync();
        Assert.Empty(await TopUpsAsync(client, wallet, "interval"));
        api.Clock.AdvanceTo(evening.AddDays(7).AddHours(-4));
        await RoundAsync();
        Assert.Single(await TopUpsAsync(client, wallet, "interval"));
        // Later that day in Tokyo (07:00, though another day in UTC), and the day after: nothing more.
        api.Clock.AdvanceTo(evening.AddDays(7).AddHours(2));
        await RoundAsync();
        api.Clock.AdvanceTo(evening.AddDays(8));
        await RoundAsync();
        Assert.Single(await TopUpsAsync(client, wallet, "interval"));
    }

    [Fact]
    public async Task An_interval_target_rule_tops_up_to_its_target_from_its_start()
    {
        var client = await api.NewOrganizationClientAsync();
        var start = api.Clock.GetUtcNow();
        var wallet = (await client.WalletAsync("target", new
        {
            granted_credits = "30",
            recurring_transaction_rules = new[]
            {
                new { trigger = "interval", interval = "weekly", method = "target", target_ongoing_balance = "100", grants_target_top_up = true,
                      started_at = start.AddDays(14).ToString("O") },
            },
        })).Id();
        // Weekly anniversaries before the rule's start do nothing.
        api.Clock.AdvanceTo(start.AddDays(7).AddHours(1));
        await RoundAsync();
        Assert.Empty(await TopUpsAsync(client, wallet, "interval"));
        api.Clock.AdvanceTo(start.AddDays(14).AddHours(1));
        await RoundAsync();
        Assert.Equal("70.0", (string?)Assert.Single(await TopUpsAsync(client, wallet, "interval"))["credit_amount"]);
        Assert.Equal("100.0", (string?)(await client.GetWalletAsync(wallet))["credits_balance"]);
        // At the target: nothing to add a week later.
        api.Clock.AdvanceTo(start.AddDays(21).AddHours(1));
        await RoundAsync();
        Assert.Single(await TopUpsAsync(client, wallet, "interval"));
    }

    [Fact]
    public async Task An_expired_rule_is_terminated_and_tops_up_no_more()
    {
        var (client, wallet, subscription) = await UsageWalletAsync("expired", new
        {
            trigger = "threshold", threshold_credits = "50", granted_credits = "10", expiration_at = api.Clock.GetUtcNow().AddHours(1).ToString("O"),
        });
        api.Clock.Advance(TimeSpan.FromHours(2));
        await CallsAsync(client, subscription, 60);
        await RoundAsync();
        Assert.Empty(await TopUpsAsync(client, wallet, "threshold"));
        Assert.Empty((await client.GetWalletAsync(wallet))["recurring_transaction_rules"]!.AsArray());
        Assert.Equal("terminated", await api.ScalarAsync<string>($"SELECT status FROM recurring_transaction_rules WHERE wallet_id = '{wallet}'"));
    }
}
