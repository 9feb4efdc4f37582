using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Wallets.Api.Http;

namespace Wallets.Api.Dashboard;

/// <summary>
/// The dashboard's session: the cookie holds the API key's hash (encrypted by Data Protection), never the key, and each
/// request finds its organization through the API's own key lookup, so a deleted key ends the session within a minute.
/// </summary>
public static class DashboardAuth
{
    private const string KeyHashClaim = "wallets:key_hash";

    /// <summary>Signs in with an API key; false when no organization has it.</summary>
    public static async Task<bool> SignInAsync(HttpContext http, string? apiKey)
    {
        if (string.IsNullOrWhiteSpace(apiKey)) return false;
        var hash = ApiKeyAuth.Hash(apiKey.Trim());
        var organization = await http.RequestServices.GetRequiredService<ApiKeyAuth>()
            .OrganizationOfHashAsync(hash, http.RequestServices, http.RequestAborted);
        if (organization is null) return false;
        var identity = new ClaimsIdentity([new Claim(KeyHashClaim, hash)], DashboardSetup.Scheme);
        await http.SignInAsync(DashboardSetup.Scheme, new ClaimsPrincipal(identity));
        return true;
    }

    public static Task SignOutAsync(HttpContext http) => http.SignOutAsync(DashboardSetup.Scheme);

    /// <summary>Every authenticated request: the key must still exist; its organization scopes everything the page reads.</summary>
    public static async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        var http = context.HttpContext;
        var hash = context.Principal?.FindFirstValue(KeyHashClaim);
        var organization = hash is null ? null : await http.RequestServices.GetRequiredService<ApiKeyAuth>()
            .OrganizationOfHashAsync(hash, http.RequestServices, http.RequestAborted);
        if (organization is null)
        {
            context.RejectPrincipal();
            await SignOutAsync(http);
            return;
        }
        http.RequestServices.GetRequiredService<Tenant>().OrganizationId = organization.Value;
    }
}
