using Wallets.Api.Tests.Infrastructure;

namespace Wallets.Api.Tests.Dashboard;

/// <summary>What "Add a wallet &amp; credits" and "Edit information" send is what the API then reports.</summary>
[Collection(DashboardCollection.Name)]
public sealed class DashboardWalletFormTests(DashboardFixture app)
{
    [Fact]
    public async Task A_wallet_added_with_limits_a_recurring_rule_and_an_expiration_date_is_the_wallet_the_api_reports()
    {
        var key = await app.NewOrganizationKeyAsync("wallet-form");
        var api = app.ApiClient(key);
        await api.CustomerAsync("cus_form", "EUR");
        var expiration = DateTime.UtcNow.AddMonths(6).ToString("yyyy-MM-dd");
        var page = await app.SignedInPageAsync(key);
        await page.ClickAsync("text=cus_form");
        await page.ClickAsync("text=Add a wallet & credits");
        await page.FillAsync("#name", "Team credits");
        await page.FillAsync("#priority", "7");
        await page.FillAsync("#rate_amount", "0.5");
        await page.FillAsync("#granted_credits", "20");
        await page.CheckAsync("input[name=invoice_requires_successful_payment]");
        await page.FillAsync("#expiration_at", expiration);
        await page.CheckAsync("input[name=fee_types][value=subscription]");
        await page.FillAsync("#paid_top_up_min_amount", "5");
        await page.FillAsync("#paid_top_up_max_amount", "250.50");
        await page.SelectOptionAsync("#rule_trigger", "interval");
        await page.SelectOptionAsync("#rule_interval", "monthly");
        await page.FillAsync("#rule_granted_credits", "10");
        await page.ClickAsync("button:has-text('Add wallet & credits')");
        await page.WaitForURLAsync("**/wallets/*?notice=wallet_created");
        Assert.Contains("Every monthly period", await page.TextContentAsync("#recurring-rule"));

        var walletId = page.Url.Split('?')[0].Split('/')[^1];
        var wallet = await api.GetWalletAsync(walletId);
        Assert.Equal("Team credits", (string?)wallet["name"]);
        Assert.Equal(7, (int)wallet["priority"]!);
        Assert.Equal(0.5m, Credits(wallet["rate_amount"]));
        Assert.Equal("EUR", (string?)wallet["currency"]);
        Assert.Equal(1000, (long)wallet["balance_cents"]!);
        Assert.True((bool)wallet["invoice_requires_successful_payment"]!);
        Assert.Equal($"{expiration}T23:59:59Z", (string?)wallet["expiration_at"]);
        Assert.Equal(["subscription"], wallet["applies_to"]!["fee_types"]!.AsArray().Select(t => (string)t!));
        Assert.Equal(500, (long)wallet["paid_top_up_min_amount_cents"]!);
        Assert.Equal(25050, (long)wallet["paid_top_up_max_amount_cents"]!);
        var rule = wallet["recurring_transaction_rules"]![0]!;
        Assert.Equal(("interval", "monthly", 10m), ((string)rule["trigger"]!, (string)rule["interval"]!, Credits(rule["granted_credits"])));

        // Edit information: clearing the limits and the expiration date clears them, as `PUT /wallets/{id}` would.
        await page.ClickAsync("summary:has-text('Edit wallet')");
        await page.ClickAsync("text=Edit information");
        Assert.Equal("250.50", await page.InputValueAsync("#paid_top_up_max_amount"));
        await page.FillAsync("#expiration_at", "");
        await page.UncheckAsync("input[name=fee_types][value=subscription]");
        await page.FillAsync("#paid_top_up_max_amount", "");
        await page.FillAsync("#priority", "60");
        await page.ClickAsync("button:has-text('Edit information')");
        Assert.Equal("Use a priority from 1 (used first) to 50.", (await page.TextContentAsync("#error-priority"))?.Trim());
        await page.FillAsync("#priority", "3");
        await page.ClickAsync("button:has-text('Edit information')");
        await page.WaitForURLAsync("**/wallets/*?notice=updated");

        wallet = await api.GetWalletAsync(walletId);
        Assert.Equal(3, (int)wallet["priority"]!);
        Assert.Null((string?)wallet["expiration_at"]);
        Assert.Empty(wallet["applies_to"]!["fee_types"]!.AsArray());
        Assert.Null((long?)wallet["paid_top_up_max_amount_cents"]);
        Assert.Equal(500, (long)wallet["paid_top_up_min_amount_cents"]!);
        Assert.Single(wallet["recurring_transaction_rules"]!.AsArray());
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_top_up_with_an_expiration_date_expires_at_the_end_of_that_day_and_its_page_says_so()
    {
        var key = await app.NewOrganizationKeyAsync("top-up-expiry");
        var api = app.ApiClient(key);
        var wallet = await api.WalletAsync("cus_expiring");
        var expiration = DateTime.UtcNow.AddMonths(1).ToString("yyyy-MM-dd");
        var page = await app.SignedInPageAsync(key);
        await page.GotoAsync($"/wallets/{wallet.Id()}/top-up");
        await page.FillAsync("#granted_credits", "5");
        await page.FillAsync("#expiration_at", expiration);
        await page.ClickAsync("button:has-text('Top up')");
        await page.WaitForURLAsync("**/wallets/*?notice=topped_up");

        var grant = (await api.GetJsonAsync($"/api/v1/wallets/{wallet.Id()}/wallet_transactions")).Ok()["wallet_transactions"]![0]!;
        Assert.Equal($"{expiration}T23:59:59Z", (string?)grant["expiration_at"]);
        await page.GotoAsync($"/wallet-transactions/{grant.Id()}");
        Assert.Equal($"{expiration} 23:59 UTC", (await page.TextContentAsync("#expires"))?.Trim());
        await page.Context.CloseAsync();
    }

    private static decimal Credits(System.Text.Json.Nodes.JsonNode? value) =>
        decimal.Parse((string)value!, System.Globalization.CultureInfo.InvariantCulture);
}
