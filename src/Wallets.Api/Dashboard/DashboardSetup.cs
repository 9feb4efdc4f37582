using System.Reflection;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace Wallets.Api.Dashboard;

/// <summary>
/// The dashboard (DESIGN.md 23): Razor Pages served at `/` by the API's own process, signed in with an API key kept in
/// an HttpOnly, SameSite=Strict cookie. Only its pages authenticate with that cookie; /api/v1 keeps its bearer keys.
/// </summary>
public static class DashboardSetup
{
    public const string Scheme = "Dashboard";

    public static void AddDashboard(this IServiceCollection services)
    {
        DashboardKeyRing.AddTo(services);
        services.AddRazorPages(pages =>
        {
            pages.RootDirectory = "/Dashboard";
            pages.Conventions.AuthorizeFolder("/", Scheme);
            pages.Conventions.AllowAnonymousToPage("/SignIn");
        }).AddMvcOptions(mvc => mvc.Filters.Add(new AntiforgeryRefusal()));
        services.AddAuthentication().AddCookie(Scheme, cookie =>
        {
            cookie.Cookie.Name = "wallets_dashboard";
            cookie.Cookie.HttpOnly = true;
            cookie.Cookie.SameSite = SameSiteMode.Strict;
            cookie.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            cookie.LoginPath = "/sign-in";
            cookie.AccessDeniedPath = "/sign-in";
            cookie.ExpireTimeSpan = TimeSpan.FromHours(8);
            cookie.SlidingExpiration = true;
            cookie.Events = new CookieAuthenticationEvents { OnValidatePrincipal = DashboardAuth.ValidateAsync };
        });
        services.AddAuthorizationBuilder().AddPolicy(Scheme, policy => policy.AddAuthenticationSchemes(Scheme).RequireAuthenticatedUser());
        services.AddAntiforgery(antiforgery =>
        {
            antiforgery.Cookie.Name = "wallets_antiforgery";
            antiforgery.Cookie.HttpOnly = true;
            antiforgery.Cookie.SameSite = SameSiteMode.Strict;
            antiforgery.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        });
    }

    public static void MapDashboard(this WebApplication app)
    {
        var css = ReadResource("dashboard.css");
        app.MapGet("/dashboard.css", (HttpResponse response) =>
        {
            response.Headers.CacheControl = "public, max-age=3600";
            return Results.Text(css, "text/css; charset=utf-8");
        }).ExcludeFromDescription();
        app.MapRazorPages();
    }

    private static string ReadResource(string name)
    {
        var assembly = Assembly.GetExecutingAssembly();
        using var stream = assembly.GetManifestResourceStream($"Wallets.Api.Dashboard.{name}")
            ?? throw new InvalidOperationException($"The dashboard's {name} is not embedded.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
