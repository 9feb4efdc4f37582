using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Wallets.Api.Features.Usage;
using Wallets.Api.Tests.Infrastructure;

namespace Wallets.Api.Tests.Usage;

/// <summary>
/// The real-time balance (DESIGN.md 14): wallets' ongoing_* fields follow the customer's current usage, taxes
/// included, on the very next read after each event, cascaded over the wallets by priority and applies_to.
/// </summary>
public sealed class OngoingBalanceTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    /// <summary>Metrics `calls` (1.00 per event) and `storage` (0.10 per unit), charges accepting target wallets; customer `acme` subscribed.</summary>
    private async Task<HttpClient> SubscribedAsync(string[]? taxes = null)
    {
        var client = await api.NewOrganizationClientAsync();
        if (taxes is not null) (await client.PostAsync("/api/v1/taxes", new { tax = new { name = "VAT", code = "vat", rate = "20" } })).Ok();
        var calls = await client.MetricAsync("calls");
        var storage = await client.MetricAsync("storage", "sum_agg");
        await client.PlanAsync("p", "EUR", UsageSetup.Standard(calls, "1", targets: true, taxes), UsageSetup.Standard(storage, "0.1", targets: true, taxes));
        await client.SubscribeAsync("acme", "sub", "p");
        return client;
    }

    private static async Task<string> WalletAsync(HttpClient client, string code, string credits, int priority = 50, object? appliesTo = null) =>
        (await client.PostAsync("/api/v1/wallets", new
        {
            wallet = new { external_customer_id = "acme", code, rate_amount = "1", currency = "EUR", granted_credits = credits, priority, applies_to = appliesTo },
        })).Ok()["wallet"]!.Id();

    private static async Task<long> OngoingUsageAsync(HttpClient client, string walletId) =>
        (long)(await client.GetWalletAsync(walletId))["ongoing_usage_balance_cents"]!;

    [Fact]
    public async Task Every_event_moves_the_ongoing_balance_on_the_very_next_read_taxes_included()
    {
        var client = await SubscribedAsync(taxes: ["vat"]);
        var wallet = await WalletAsync(client, "main", "10");
        for (var i = 1; i <= 3; i++)
        {
            await client.EventAsync("sub", "calls");
            var read = await client.GetWalletAsync(wallet);
            Assert.Equal(120 * i, (long)read["ongoing_usage_balance_cents"]!);
            Assert.Equal(1000 - (120 * i), (long)read["ongoing_balance_cents"]!);
            Assert.Equal(1000, (long)read["balance_cents"]!);
        }
        var wallet3 = await client.GetWalletAsync(wallet);
        Assert.Equal("3.6", (string?)wallet3["credits_ongoing_usage_balance"]);
        Assert.Equal("6.4", (string?)wallet3["credits_ongoing_balance"]);
        Assert.False((bool)wallet3["depleted_ongoing_balance"]!);
    }

    [Fact]
    public async Task Pricing_a_balance_never_waits_for_a_second_connection_while_the_request_holds_one()
    {
        var client = await SubscribedAsync();
        var wallet = await WalletAsync(client, "main", "10");
        await client.EventAsync("sub", "calls");
        // The same database through a server whose pool has one connection. Each read below finds the pricing catalog
        // empty: had it waited for a second connection while holding the first, it would have waited for itself until
        // the pool's timeout and answered 503.
        await using var single = api.WithWebHostBuilder(b => b.UseSetting("ConnectionStrings:Wallets", api.ConnectionString + ";Maximum Pool Size=1;Timeout=3"));
        var reader = single.CreateClient();
        reader.DefaultRequestHeaders.Authorization = client.DefaultRequestHeaders.Authorization;
        var catalog = single.Services.GetRequiredService<PricingCatalog>();

        catalog.Invalidate();
        Assert.Equal(100, (long)(await reader.GetWalletAsync(wallet))["ongoing_usage_balance_cents"]!);
        catalog.Invalidate();
        Assert.Equal(100, (long)(await reader.GetWalletAsync(wallet))["ongoing_usage_balance_cents"]!);
        catalog.Invalidate();
        Assert.Equal(100, (long)(await reader.GetJsonAsync("/api/v1/wallets?external_customer_id=acme")).Ok()["wallets"]![0]!["ongoing_usage_balance_cents"]!);
        catalog.Invalidate();
        Assert.Equal(100, (long)(await reader.GetJsonAsync("/api/v1/customers/acme/wallets/main")).Ok()["wallet"]!["ongoing_usage_balance_cents"]!);
        // A write with an Idempotency-Key holds its transaction's connection while it prices the wallet it answers with.
        catalog.Invalidate();
        var renamed = await reader.SendJsonAsync(HttpMethod.Put, $"/api/v1/wallets/{wallet}", new { wallet = new { name = "Renamed" } }, idempotencyKey: "rename-1");
        Assert.Equal(100, (long)renamed.Ok()["wallet"]!["ongoing_usage_balance_cents"]!);
    }

    [Fact]
    public async Task Usage_cascades_by_priority_and_the_last_wallet_carries_the_overflow()
    {
        var client = await SubscribedAsync();
        var second = await WalletAsync(client, "second", "5", priority: 2);
        var first = await WalletAsync(client, "first", "2", priority: 1);
        for (var i = 0; i < 4; i++) await client.EventAsync("sub", "calls");
        Assert.Equal(200, await OngoingUsageAsync(client, first));
        Assert.Equal(200, await OngoingUsageAsync(client, second));

        for (var i = 0; i < 5; i++) await client.EventAsync("sub", "calls");
        var last = await client.GetWalletAsync(second);
        Assert.Equal(700, (long)last["ongoing_usage_balance_cents"]!);
        Assert.Equal(-200, (long)last["ongoing_balance_cents"]!);
        Assert.Equal("-2.0", (string?)last["credits_ongoing_balance"]);
        Assert.True((bool)last["depleted_ongoing_balance"]!);
        Assert.True((bool)(await client.GetWalletAsync(first))["depleted_ongoing_balance"]!);
    }

    [Fact]
    public async Task Applies_to_limits_which_usage_a_wallet_takes()
    {
        var client = await SubscribedAsync();
        var storageOnly = await WalletAsync(client, "storage_only", "100", priority: 1, appliesTo: new { billable_metric_codes = new[] { "storage" } });
        var subscriptionOnly = await WalletAsync(client, "subs_only", "100", priority: 1, appliesTo: new { fee_types = new[] { "subscription" } });
        var any = await WalletAsync(client, "any", "100", priority: 2);
        await client.EventAsync("sub", "calls");
        await client.EventAsync("sub", "storage", new { value = 30 });

        Assert.Equal(300, await OngoingUsageAsync(client, storageOnly));
        Assert.Equal(0, await OngoingUsageAsync(client, subscriptionOnly));
        Assert.Equal(100, await OngoingUsageAsync(client, any));
    }

    [Fact]
    public async Task A_target_wallet_code_draws_only_on_that_wallet_and_one_naming_no_wallet_on_none()
    {
        var client = await SubscribedAsync();
        var first = await WalletAsync(client, "first", "100", priority: 1);
        var targeted = await WalletAsync(client, "team", "100", priority: 2, appliesTo: new { billable_metric_codes = new[] { "storage" } });
        await client.EventAsync("sub", "calls", new { target_wallet_code = "team" });
        await client.EventAsync("sub", "calls", new { target_wallet_code = "nobody" });
        await client.EventAsync("sub", "calls", new { target_wallet_code = "nobody" });
        await client.EventAsync("sub", "calls");

        Assert.Equal(100, await OngoingUsageAsync(client, targeted));
        Assert.Equal(100, await OngoingUsageAsync(client, first));
        // The usage is still the customer's: current usage shows all four events.
        Assert.Equal(400, (long)(await client.CurrentUsageAsync("acme", "sub"))["total_amount_cents"]!);
    }

    [Fact]
    public async Task Lists_and_customer_scoped_reads_show_the_same_ongoing_balances()
    {
        var client = await SubscribedAsync();
        var first = await WalletAsync(client, "first", "1", priority: 1);
        var second = await WalletAsync(client, "second", "10", priority: 2);
        await client.WalletAsync("bystander", new { granted_credits = "5" }, currency: "EUR");
        await client.SubscribeAsync("bystander", "other", "p");
        for (var i = 0; i < 3; i++) await client.EventAsync("sub", "calls");
        await client.EventAsync("other", "calls");

        var all = (await client.GetJsonAsync("/api/v1/wallets")).Ok()["wallets"]!.AsArray().ToDictionary(w => (string)w!["code"]!, w => w!);
        Assert.Equal(100, (long)all["first"]["ongoing_usage_balance_cents"]!);
        Assert.Equal(200, (long)all["second"]["ongoing_usage_balance_cents"]!);
        Assert.Equal(100, (long)all["default"]["ongoing_usage_balance_cents"]!);
        var mine = (await client.GetJsonAsync("/api/v1/customers/acme/wallets")).Ok()["wallets"]!.AsArray();
        Assert.Equal([100L, 200L], mine.OrderBy(w => (string)w!["code"]!).Select(w => (long)w!["ongoing_usage_balance_cents"]!));
        Assert.Equal(200, (long)(await client.GetJsonAsync("/api/v1/customers/acme/wallets/second")).Ok()["wallet"]!["ongoing_usage_balance_cents"]!);
        Assert.Equal(0, (long)(await client.GetWalletAsync(first))["ongoing_balance_cents"]!);
        Assert.Equal(800, (long)(await client.GetWalletAsync(second))["ongoing_balance_cents"]!);
    }

    [Fact]
    public async Task A_new_period_or_a_terminated_subscription_leaves_no_ongoing_usage()
    {
        var client = await SubscribedAsync();
        var wallet = await WalletAsync(client, "main", "10");
        await client.EventAsync("sub", "calls");
        Assert.Equal(100, await OngoingUsageAsync(client, wallet));

        api.Clock.Advance(TimeSpan.FromDays(20));
        Assert.Equal(0, await OngoingUsageAsync(client, wallet));
        await client.EventAsync("sub", "calls");
        Assert.Equal(100, await OngoingUsageAsync(client, wallet));
        (await client.DeleteJsonAsync("/api/v1/subscriptions/sub")).Ok();
        var read = await client.GetWalletAsync(wallet);
        Assert.Equal(0, (long)read["ongoing_usage_balance_cents"]!);
        // Termination billed the period so far and the wallet paid that invoice: nothing is left "ongoing".
        Assert.True((long)read["balance_cents"]! < 1000);
        Assert.Equal((long)read["balance_cents"]!, (long)read["ongoing_balance_cents"]!);
        api.Clock.Advance(-TimeSpan.FromDays(20));
    }

    [Fact]
    public async Task A_terminated_wallet_takes_no_usage_and_leaves_it_to_the_others()
    {
        var client = await SubscribedAsync();
        var first = await WalletAsync(client, "first", "10", priority: 1);
        var second = await WalletAsync(client, "second", "10", priority: 2);
        await client.EventAsync("sub", "calls");
        (await client.DeleteJsonAsync($"/api/v1/wallets/{first}")).Ok();
        var terminated = await client.GetWalletAsync(first);
        Assert.Equal(0, (long)terminated["ongoing_usage_balance_cents"]!);
        Assert.False((bool)terminated["depleted_ongoing_balance"]!);
        Assert.Equal(100, await OngoingUsageAsync(client, second));
    }

    [Fact]
    public async Task A_new_price_or_tax_shows_in_the_ongoing_balance_on_the_next_read()
    {
        var client = await SubscribedAsync();
        var wallet = await WalletAsync(client, "main", "100");
        await client.EventAsync("sub", "calls");
        Assert.Equal(100, await OngoingUsageAsync(client, wallet));

        (await client.PutAsync("/api/v1/plans/p/charges/calls", new { charge = new { charge_model = "standard", properties = new { amount = "2.5" } } })).Ok();
        Assert.Equal(250, await OngoingUsageAsync(client, wallet));
        (await client.PostAsync("/api/v1/taxes", new { tax = new { name = "VAT", code = "vat", rate = "10", applied_to_organization = true } })).Ok();
        Assert.Equal(275, await OngoingUsageAsync(client, wallet));
        // The customer's own taxes win over the organization's.
        (await client.PostAsync("/api/v1/taxes", new { tax = new { name = "Local", code = "local", rate = "20" } })).Ok();
        (await client.PostAsync("/api/v1/customers", new { customer = new { external_id = "acme", tax_codes = new[] { "local" } } })).Ok();
        Assert.Equal(300, await OngoingUsageAsync(client, wallet));
    }
}
