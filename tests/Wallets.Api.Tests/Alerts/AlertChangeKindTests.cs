using Microsoft.Extensions.DependencyInjection;
using Wallets.Api.Jobs;
using Wallets.Api.Tests.Infrastructure;
using Wallets.Api.Tests.Invoicing;

namespace Wallets.Api.Tests.Alerts;

/// <summary>Every kind of balance change evaluates the wallet's balance alerts in its own transaction.</summary>
public sealed class AlertChangeKindTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task A_settlement_an_invoice_debit_its_regrant_and_termination_each_evaluate_the_alerts()
    {
        var (client, organization) = await api.AlertingOrganizationAsync();
        await client.PlanAsync("plan", 1_500, []);
        await InvoicingSetup.CustomerAsync(client, "billed");
        var wallet = (string)(await client.EuroWalletAsync("billed", "main", "20"))["lago_id"]!;
        (await client.PostAsync("/api/v1/customers/billed/wallets/main/alerts",
            new { alert = new { alert_type = "wallet_credits_balance", code = "ten", thresholds = new[] { new { value = 10 } } } })).Ok();

        var (_, purchaseInvoice) = await client.PurchaseAsync(wallet, "5");
        (await client.PutAsync($"/api/v1/invoices/{purchaseInvoice}", new { invoice = new { payment_status = "succeeded" } })).Ok();
        var month = api.ThisMonth();
        await client.SubscribeAsync("billed", "plan", month);
        await api.BillAsync(month.AddMonths(1).AddHours(1));   // 25 − 15 = 10 credits: crossed
        var invoice = Assert.Single(await client.InvoicesAsync("billed")).Id();
        (await client.PostAsync($"/api/v1/invoices/{invoice}/void", new { })).Ok();   // regranted: 25, rearmed
        (await client.DeleteJsonAsync($"/api/v1/wallets/{wallet}")).Ok();   // 0: crossed again

        Assert.Equal(["ten 25.0->10.0 [10.0]", "ten 25.0->0.0 [10.0]"], (await api.TriggeredAsync(organization)).Select(AlertSetup.Summary));
    }

    [Fact]
    public async Task Expiry_voids_the_balance_and_fires_the_crossed_threshold_once()
    {
        var (client, organization) = await api.AlertingOrganizationAsync();
        var expiresAt = api.Clock.GetUtcNow().AddHours(1);
        await client.WalletAsync("expiring", new { code = "main", granted_credits = "10", expiration_at = expiresAt.ToString("O") });
        (await client.PostAsync("/api/v1/customers/expiring/wallets/main/alerts",
            new { alert = new { alert_type = "wallet_balance_amount", code = "half", thresholds = new[] { new { value = 500 } } } })).Ok();

        api.Clock.Advance(TimeSpan.FromHours(2));
        var job = api.Services.GetRequiredService<WalletExpiryJob>();
        await job.RunOnceAsync(CancellationToken.None);
        await job.RunOnceAsync(CancellationToken.None);

        Assert.Equal(["half 1000.0->0.0 [500.0]"], (await api.TriggeredAsync(organization)).Select(AlertSetup.Summary));
    }
}
