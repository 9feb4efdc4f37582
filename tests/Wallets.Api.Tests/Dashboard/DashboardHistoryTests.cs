using Microsoft.Playwright;
using Wallets.Api.Tests.Infrastructure;

namespace Wallets.Api.Tests.Dashboard;

/// <summary>Long histories are read in slices of 20, newest first, each row once, however many share a timestamp.</summary>
[Collection(DashboardCollection.Name)]
public sealed class DashboardHistoryTests(DashboardFixture app)
{
    [Fact]
    public async Task A_wallets_transactions_and_a_grants_consumptions_page_through_every_row_once()
    {
        var key = await app.NewOrganizationKeyAsync("history");
        var api = app.ApiClient(key);
        var wallet = await api.WalletAsync("cus_history", new { granted_credits = "100" });
        // Sent together, the voids are written in batches that share one timestamp: the order must still be total.
        await Task.WhenAll(Enumerable.Range(0, 44).Select(_ => api.TransactAsync(wallet.Id(), new { voided_credits = "1" })));
        var page = await app.SignedInPageAsync(key);

        await page.GotoAsync($"/wallets/{wallet.Id()}");
        var transactions = await WalkAsync(page, "#transactions tbody tr a");
        Assert.Equal([20, 20, 5], transactions.Select(s => s.Count));
        Assert.Equal(45, transactions.SelectMany(s => s).Distinct().Count());

        await page.GotoAsync($"/wallets/{wallet.Id()}?transaction_type=inbound");
        var grant = (await page.GetAttributeAsync("#transactions tbody tr a", "href"))!;
        await page.GotoAsync(grant);
        Assert.Equal("Consumptions", await page.TextContentAsync(".tabs a[aria-current=page]"));
        var consumptions = await WalkAsync(page, "#links tbody tr a");
        Assert.Equal([20, 20, 4], consumptions.Select(s => s.Count));
        Assert.Equal(44, consumptions.SelectMany(s => s).Distinct().Count());
        await page.Context.CloseAsync();
    }

    /// <summary>The links of each slice, following "Older →" to the end.</summary>
    private static async Task<List<List<string>>> WalkAsync(IPage page, string links)
    {
        var slices = new List<List<string>>();
        while (true)
        {
            var hrefs = new List<string>();
            foreach (var link in await page.QuerySelectorAllAsync(links)) hrefs.Add((await link.GetAttributeAsync("href"))!);
            slices.Add(hrefs);
            if (await page.QuerySelectorAsync("a[rel=next]") is not { } older) return slices;
            await older.ClickAsync();
            await page.WaitForLoadStateAsync();
        }
    }
}
