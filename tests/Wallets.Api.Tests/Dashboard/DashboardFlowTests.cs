using Microsoft.Playwright;

namespace Wallets.Api.Tests.Dashboard;

/// <summary>Seeds 000 and 002 walked in a real browser, as the people who run a prepaid-credit business would.</summary>
[Collection(DashboardCollection.Name)]
public sealed class DashboardFlowTests(DashboardFixture app)
{
    [Fact]
    public async Task A_wallet_is_created_paid_voided_traced_edited_and_terminated_from_the_dashboard()
    {
        var page = await app.SignedInPageAsync(await app.NewOrganizationKeyAsync("flow"));

        // A customer, then "Add a wallet & credits" (seed 002) with paid and granted credits.
        await page.ClickAsync("text=Add a customer");
        await page.FillAsync("#external_id", "cus_northwind");
        await page.FillAsync("#name", "Northwind Traders");
        await page.SelectOptionAsync("#currency", "EUR");
        await page.ClickAsync("button:has-text('Add customer')");
        await page.WaitForURLAsync("**/customers/*?notice=customer_created");
        var customerUrl = page.Url.Split('?')[0];
        await page.ClickAsync("text=Add a wallet & credits");
        await page.FillAsync("#name", "Prepaid credits");
        await page.FillAsync("#rate_amount", "1");
        await page.FillAsync("#paid_credits", "100");
        await page.FillAsync("#granted_credits", "50");
        await page.CheckAsync("input[name=fee_types][value=charge]");
        await DashboardFixture.ScreenshotAsync(page, "add-wallet");
        await page.ClickAsync("button:has-text('Add wallet & credits')");
        await page.WaitForURLAsync("**/wallets/*?notice=wallet_created");
        var walletUrl = page.Url.Split('?')[0];
        // The granted credits are usable at once; the purchase waits for its invoice to be paid.
        Assert.Equal("50 credits", await page.TextContentAsync("#balance"));

        // Pay the credit invoice: its purchase settles.
        await page.GotoAsync(customerUrl);
        await page.ClickAsync(".tabs >> text=Invoices");
        Assert.Contains("Pending", await page.TextContentAsync("#invoices tbody tr"));
        await page.ClickAsync("button:has-text('Mark as paid')");
        await page.WaitForURLAsync("**/invoices?notice=paid");
        Assert.Contains("Succeeded", await page.TextContentAsync("#invoices tbody tr"));
        Assert.Contains("100.00 EUR", await page.TextContentAsync("#invoices tbody tr"));
        await DashboardFixture.ScreenshotAsync(page, "invoices");

        // The customer's Wallets tab shows the balance and the ongoing balance, as the API reports them.
        await page.ClickAsync(".tabs >> text=Wallets");
        Assert.Contains("150 credits", await page.TextContentAsync("#wallets td[data-field=balance]"));
        Assert.Contains("150 credits", await page.TextContentAsync("#wallets td[data-field=ongoing-balance]"));
        await DashboardFixture.ScreenshotAsync(page, "customer");

        // Void 70 credits: the granted 50 go first, then 20 of the purchased 100.
        await page.ClickAsync("#wallets >> text=Prepaid credits");
        await page.ClickAsync("text=Void credits");
        await page.FillAsync("#voided_credits", "70");
        await page.ClickAsync("button:has-text('Void credits')");
        await page.WaitForURLAsync("**/wallets/*?notice=voided");
        Assert.Equal("80 credits", await page.TextContentAsync("#balance"));
        await DashboardFixture.ScreenshotAsync(page, "wallet");

        // Seed 000: the outbound transaction's Fundings tab names the grants that paid for it, with the amounts.
        await page.SelectOptionAsync("select[name=transaction_type]", "outbound");
        await page.ClickAsync("button:has-text('Filter')");
        await page.ClickAsync("#transactions tbody tr >> nth=0 >> a");
        Assert.Equal("Fundings", await page.TextContentAsync(".tabs a[aria-current=page]"));
        var fundings = await Rows(page);
        Assert.Equal([("Granted", "50"), ("Purchased", "20")], fundings.OrderBy(f => f.Kind).ToList());
        await DashboardFixture.ScreenshotAsync(page, "fundings");

        // ...and the purchased top-up's Consumptions tab names that void, with the 20 credits it took.
        await page.ClickAsync("#links >> text=Purchased of 100 credits");
        Assert.Equal("Consumptions", await page.TextContentAsync(".tabs a[aria-current=page]"));
        Assert.Equal([("Voided", "20")], await Rows(page));
        Assert.Equal("80 credits", await page.TextContentAsync("#remaining"));
        await DashboardFixture.ScreenshotAsync(page, "consumptions");

        // Seed 002: Edit wallet → Edit information, to change the expiration date.
        var expiration = DateTime.UtcNow.AddYears(1).ToString("yyyy-MM-dd");
        await page.GotoAsync(walletUrl);
        await page.ClickAsync("summary:has-text('Edit wallet')");
        await page.ClickAsync("text=Edit information");
        await page.FillAsync("#expiration_at", expiration);
        await page.ClickAsync("button:has-text('Edit information')");
        await page.WaitForURLAsync("**/wallets/*?notice=updated");
        Assert.Equal($"{expiration} 23:59 UTC", await page.TextContentAsync("#expiration"));

        // Edit wallet → Terminate wallet, confirmed: what is left is voided.
        await page.ClickAsync("summary:has-text('Edit wallet')");
        await page.ClickAsync(".menu-items >> text=Terminate wallet");
        Assert.Contains("cannot be undone", await page.TextContentAsync(".banner.warning"));
        await DashboardFixture.ScreenshotAsync(page, "terminate");
        await page.ClickAsync("button:has-text('Terminate wallet')");
        await page.WaitForURLAsync("**/wallets/*?notice=terminated");
        Assert.Equal("0 credits", await page.TextContentAsync("#balance"));
        Assert.Contains("Terminated", await page.TextContentAsync("h1"));
        Assert.Equal("terminated", await app.ScalarAsync<string>("SELECT status FROM wallets WHERE code = 'prepaid_credits'"));
        await page.Context.CloseAsync();
    }

    /// <summary>The Consumptions or Fundings rows: the other side's kind and the credits it gave or took.</summary>
    private static async Task<List<(string Kind, string Credits)>> Rows(IPage page)
    {
        var rows = new List<(string, string)>();
        foreach (var row in await page.QuerySelectorAllAsync("#links tbody tr"))
            rows.Add(((await (await row.QuerySelectorAsync("td:nth-child(2)"))!.TextContentAsync())!.Trim(),
                (await (await row.QuerySelectorAsync("td[data-field=credits]"))!.TextContentAsync())!.Trim()));
        return rows;
    }
}
