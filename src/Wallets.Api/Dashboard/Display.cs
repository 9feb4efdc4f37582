using System.Globalization;
using Microsoft.AspNetCore.Html;
using Wallets.Api.Http;
using Wallets.Domain.Money;

namespace Wallets.Api.Dashboard;

/// <summary>How the dashboard writes numbers, money and times: invariant, exact decimals, UTC.</summary>
public static class Display
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static string Credits(decimal credits) => credits.ToString("#,##0.#####", Invariant);

    /// <summary>Minor units as the currency writes them (EUR 12.50, JPY 1,250).</summary>
    public static string Money(long cents, string currency) => Money((decimal)cents / Currencies.Get(currency).SubunitToUnit, currency);

    public static string Money(decimal amount, string currency) =>
        $"{amount.ToString("N" + Currencies.Get(currency).Exponent, Invariant)} {currency}";

    /// <summary>An amount in minor units as a form shows it (1250 EUR cents → "12.50"), blank when none.</summary>
    public static string AmountInput(long? cents, string currency)
    {
        if (cents is null) return "";
        var c = Currencies.Get(currency);
        return ((decimal)cents.Value / c.SubunitToUnit).ToString("F" + c.Exponent, Invariant);
    }

    /// <summary>An amount typed in the currency's units → minor units; false when it has more decimals than the currency.</summary>
    public static bool TryCents(string text, string currency, out long cents)
    {
        cents = 0;
        if (!DecimalText.TryParse(text.Trim(), out var amount)) return false;
        var scaled = amount * Currencies.Get(currency).SubunitToUnit;
        if (scaled != decimal.Truncate(scaled) || scaled > long.MaxValue || scaled < long.MinValue) return false;
        cents = (long)scaled;
        return true;
    }

    public static string Time(DateTimeOffset? at) => at is { } t ? t.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", Invariant) : "—";

    public static string Date(DateTimeOffset? at) => at is { } t ? t.UtcDateTime.ToString("yyyy-MM-dd", Invariant) : "";

    public static string Words(string? code) => string.IsNullOrEmpty(code) ? "—" : char.ToUpperInvariant(code[0]) + code[1..].Replace('_', ' ');

    /// <summary>Previous / page n of m / next links, keeping the page's other query values.</summary>
    public static IHtmlContent Pager(PageMeta meta, HttpRequest request)
    {
        var html = new HtmlContentBuilder();
        if (meta.TotalPages <= 1) return html;
        html.AppendHtml("<nav class=\"pager\" aria-label=\"pages\">");
        if (meta.PrevPage is { } prev) html.AppendHtml($"<a rel=\"prev\" href=\"{Url(request, prev)}\">← Previous</a>");
        html.AppendHtml("<span>").Append($"Page {meta.CurrentPage} of {meta.TotalPages} ({meta.TotalCount} in all)").AppendHtml("</span>");
        if (meta.NextPage is { } next) html.AppendHtml($"<a rel=\"next\" href=\"{Url(request, next)}\">Next →</a>");
        return html.AppendHtml("</nav>");
    }

    /// <summary>Newest / Older links through a long history read in slices (<see cref="Keyset"/>), keeping the filters.</summary>
    public static IHtmlContent Older(Keyset? next, HttpRequest request)
    {
        var html = new HtmlContentBuilder();
        var first = !request.Query.ContainsKey("after");
        if (first && next is null) return html;
        html.AppendHtml("<nav class=\"pager\" aria-label=\"pages\">");
        if (!first) html.AppendHtml($"<a href=\"{Url(request, "after", null)}\">← Newest</a>");
        if (next is { } after) html.AppendHtml($"<a rel=\"next\" href=\"{Url(request, "after", after.ToString())}\">Older →</a>");
        return html.AppendHtml("</nav>");
    }

    private static string Url(HttpRequest request, int page) => Url(request, "page", page.ToString(Invariant));

    /// <summary>This page's URL with one query value replaced (or removed, when null), HTML-encoded.</summary>
    private static string Url(HttpRequest request, string key, string? value)
    {
        var query = request.Query.Where(q => q.Key != key).SelectMany(q => q.Value.Select(v => $"{Uri.EscapeDataString(q.Key)}={Uri.EscapeDataString(v ?? "")}"));
        if (value is not null) query = query.Append($"{key}={Uri.EscapeDataString(value)}");
        return System.Net.WebUtility.HtmlEncode($"{request.Path}?{string.Join("&", query)}");
    }
}
