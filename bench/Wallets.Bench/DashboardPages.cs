using System.Net;
using System.Text.RegularExpressions;

namespace Wallets.Bench;

/// <summary>
/// Scenario k: the dashboard's pages for a wallet with a long history (10,000 transactions by default), read as a
/// signed-in person reads them. The load generator signs in like a browser (the form's antiforgery token, then the
/// session cookie) and sends that cookie with every page request.
/// </summary>
public static partial class DashboardPages
{
    /// <summary>The session cookie header (`wallets_dashboard=…`) for an API key.</summary>
    public static async Task<string> SignInAsync(Uri apiBase, string apiKey)
    {
        var root = new Uri(apiBase, "/");
        var cookies = new CookieContainer();
        using var http = new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false, UseProxy = false }) { BaseAddress = root };
        var form = await http.GetStringAsync("/sign-in");
        var token = Token().Match(form) is { Success: true } m ? m.Groups[1].Value : throw new InvalidOperationException("the sign-in page has no antiforgery token");
        using var signedIn = await http.PostAsync("/sign-in", new FormUrlEncodedContent(
            [new("api_key", apiKey), new("__RequestVerificationToken", WebUtility.HtmlDecode(token))]));
        if (signedIn.StatusCode != HttpStatusCode.Redirect) throw new InvalidOperationException($"dashboard sign-in answered {(int)signedIn.StatusCode}");
        var session = cookies.GetCookies(root)["wallets_dashboard"] ?? throw new InvalidOperationException("dashboard sign-in set no session cookie");
        return $"{session.Name}={session.Value}";
    }

    /// <summary>A page request with the session cookie (an absolute path: the dashboard lives at the site's root).</summary>
    public static HttpRequestMessage Get(string path, string cookie) => new(HttpMethod.Get, path) { Headers = { { "Cookie", cookie } } };

    /// <summary>
    /// A wallet whose history has <paramref name="transactions"/> rows: one large grant, then voids of 0.01 credits,
    /// each traced to that grant (so its Consumptions tab has nearly as many rows). Returns the wallet, its customer and the grant.
    /// </summary>
    public static async Task<(Guid Wallet, Guid Customer, Guid Grant)> SeedAsync(WalletsApi api, string externalId, int transactions, int workers)
    {
        var wallet = await api.CreateCustomerWithWalletAsync(externalId, null);
        var grant = await api.GrantAsync(wallet, "1000000", 1);
        await api.SendAllAsync(Enumerable.Range(1, Math.Max(transactions - 1, 0)).Select(_ => (Func<HttpRequestMessage>)(() => WalletsApi.Void(wallet, "0.01"))), workers);
        return (wallet, await api.CustomerIdOfWalletAsync(wallet), grant);
    }

    /// <summary>
    /// The dashboard's position (its `after` parameter: Unix microseconds and the id) of the wallet's <paramref name="depth"/>-th
    /// newest transaction, read through the API, so a slice deep in the history can be asked for directly.
    /// </summary>
    public static async Task<string> PositionAsync(WalletsApi api, Guid walletId, int depth)
    {
        var (createdAt, id) = await api.TransactionAtAsync(walletId, depth);
        return $"{(createdAt.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10}-{id:N}";
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex Token();
}
