using Microsoft.AspNetCore.Mvc;

namespace Wallets.Api.Dashboard;

public sealed class SignInModel : DashboardPage
{
    [BindProperty(Name = "api_key")] public string? ApiKey { get; set; }

    [BindProperty(Name = "return_url", SupportsGet = true)] public string? ReturnUrl { get; set; }

    public void OnGet() => ReturnUrl ??= Query("ReturnUrl");

    public async Task<IActionResult> OnPostAsync()
    {
        if (!await DashboardAuth.SignInAsync(HttpContext, ApiKey))
        {
            AddError("api_key", "No organization has this API key.");
            return Page();
        }
        // Only a path of this site, never another host (an open redirect).
        return LocalRedirect(ReturnUrl is { Length: > 1 } url && Url.IsLocalUrl(url) ? url : "/");
    }
}
