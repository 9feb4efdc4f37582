using Microsoft.AspNetCore.Mvc;

namespace Wallets.Api.Dashboard;

/// <summary>http://localhost:5080/ leads to the customers (or to the sign-in page first).</summary>
public sealed class IndexModel : DashboardPage
{
    public IActionResult OnGet() => Redirect("/customers");
}
