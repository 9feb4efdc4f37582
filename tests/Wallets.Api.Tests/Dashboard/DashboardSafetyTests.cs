using Microsoft.Playwright;
using Wallets.Api.Tests.Infrastructure;

namespace Wallets.Api.Tests.Dashboard;

/// <summary>Errors a person can read, one organization per key, sessions that end, and forms no other site can post.</summary>
[Collection(DashboardCollection.Name)]
public sealed class DashboardSafetyTests(DashboardFixture app)
{
    [Fact]
    public async Task A_validation_error_shows_next_to_its_field_and_writes_nothing()
    {
        var key = await app.NewOrganizationKeyAsync("validation");
        await app.ApiClient(key).CustomerAsync("cus_validation", "USD");
        var page = await app.SignedInPageAsync(key);
        await page.ClickAsync("text=cus_validation");
        await page.ClickAsync("text=Add a wallet & credits");
        await page.FillAsync("#paid_credits", "ten");
        await page.FillAsync("#granted_credits", "5");
        await page.ClickAsync("button:has-text('Add wallet & credits')");

        Assert.Equal("Enter a number of credits, 0 or more, like 10 or 2.5.", (await page.TextContentAsync("#error-paid_credits"))?.Trim());
        // Next to its field: the error follows the paid credits input, and the form keeps what was typed.
        Assert.True(await page.IsVisibleAsync("#paid_credits ~ #error-paid_credits"));
        Assert.Equal("ten", await page.InputValueAsync("#paid_credits"));
        await DashboardFixture.ScreenshotAsync(page, "validation-error");
        Assert.Equal(0L, await app.ScalarAsync<long>(
            "SELECT count(*) FROM wallets w JOIN customers c ON c.id = w.customer_id WHERE c.external_id = 'cus_validation'"));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_second_organizations_key_sees_none_of_the_first_ones_customers()
    {
        var first = app.ApiClient(await app.NewOrganizationKeyAsync("first"));
        var wallet = await first.WalletAsync("cus_first_secret", new { granted_credits = "10" });
        var customerId = (string)wallet["lago_customer_id"]!;

        var page = await app.SignedInPageAsync(await app.NewOrganizationKeyAsync("second"));
        Assert.DoesNotContain("cus_first_secret", await page.ContentAsync());
        await page.FillAsync("#search_term", "cus_first");
        await page.ClickAsync("button:has-text('Search')");
        Assert.Contains("No customer matches this search.", await page.ContentAsync());
        var customer = await page.GotoAsync($"/customers/{customerId}");
        Assert.Equal(404, customer!.Status);
        Assert.Contains("There is no such customer", await page.ContentAsync());
        var walletPage = await page.GotoAsync($"/wallets/{wallet.Id()}");
        Assert.Equal(404, walletPage!.Status);
        Assert.DoesNotContain("cus_first_secret", await page.ContentAsync());
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Signing_out_ends_the_session_and_the_cookie_is_httponly_and_strict()
    {
        var page = await app.SignedInPageAsync(await app.NewOrganizationKeyAsync("session"));
        var cookie = (await page.Context.CookiesAsync()).Single(c => c.Name == "wallets_dashboard");
        Assert.True(cookie.HttpOnly);
        Assert.Equal(SameSiteAttribute.Strict, cookie.SameSite);

        await page.ClickAsync("button:has-text('Sign out')");
        await page.WaitForURLAsync("**/sign-in");
        await DashboardFixture.ScreenshotAsync(page, "sign-in");
        await page.GotoAsync("/customers");
        Assert.Contains("/sign-in", page.Url);
        Assert.DoesNotContain((await page.Context.CookiesAsync()), c => c.Name == "wallets_dashboard");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task An_unknown_api_key_is_refused_at_sign_in()
    {
        var context = await app.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync("/sign-in");
        await page.FillAsync("input[name=api_key]", "wlt_not_a_key");
        await page.ClickAsync("button:has-text('Sign in')");
        Assert.Equal("No organization has this API key.", (await page.TextContentAsync("#error-api_key"))?.Trim());
        Assert.DoesNotContain((await context.CookiesAsync()), c => c.Name == "wallets_dashboard");
        await context.CloseAsync();
    }

    [Fact]
    public async Task A_form_posted_without_its_antiforgery_token_is_refused_and_writes_nothing()
    {
        var page = await app.SignedInPageAsync(await app.NewOrganizationKeyAsync("antiforgery"));
        var request = page.Context.APIRequest; // the signed-in session's cookies, without the form's token
        Assert.Equal(200, (await request.GetAsync("/customers", new() { MaxRedirects = 0 })).Status);

        var forged = await request.PostAsync("/customers/new", new() { Form = request.CreateFormData().Set("external_id", "cus_forged"), MaxRedirects = 0 });
        Assert.Equal(400, forged.Status);
        Assert.Contains("This form was refused", await forged.TextAsync());
        Assert.Equal(0L, await app.ScalarAsync<long>("SELECT count(*) FROM customers WHERE external_id = 'cus_forged'"));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_top_up_form_for_a_wallet_terminated_meanwhile_says_so_and_writes_nothing()
    {
        var key = await app.NewOrganizationKeyAsync("stale");
        var api = app.ApiClient(key);
        var wallet = await api.WalletAsync("cus_stale", new { granted_credits = "10" });
        var page = await app.SignedInPageAsync(key);
        await page.GotoAsync($"/wallets/{wallet.Id()}/top-up");
        (await api.DeleteJsonAsync($"/api/v1/wallets/{wallet.Id()}")).Ok();

        await page.FillAsync("#granted_credits", "25");
        await page.ClickAsync("button:has-text('Top up')");
        Assert.Equal("This wallet was terminated meanwhile, so nothing was changed.", (await page.TextContentAsync(".banner.stale"))?.Trim());
        Assert.Equal(0L, await app.ScalarAsync<long>(
            $"SELECT count(*) FROM wallet_transactions WHERE wallet_id = '{wallet.Id()}' AND transaction_status = 'granted' AND credit_amount = 25"));
        await page.Context.CloseAsync();
    }
}
