using Microsoft.AspNetCore.Mvc;

namespace Wallets.Api.Dashboard;

/// <summary>POST only (with its antiforgery token), so no link or image elsewhere can sign a person out.</summary>
public sealed class SignOutModel : DashboardPage
{
    public IActionResult OnGet() => Redirect("/");

    public async Task<IActionResult> OnPostAsync()
    {
        await DashboardAuth.SignOutAsync(HttpContext);
        return Redirect("/sign-in");
    }
}
