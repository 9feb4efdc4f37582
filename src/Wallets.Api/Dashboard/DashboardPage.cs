using System.Globalization;
using Microsoft.AspNetCore.Html;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Wallets.Api.Http;

namespace Wallets.Api.Dashboard;

/// <summary>What every dashboard page shares: errors shown next to their fields, notices, a plain "not found" page.</summary>
public abstract class DashboardPage : PageModel
{
    public const int PerPage = 20;

    /// <summary>Words for each form field, and for the form as a whole under "base".</summary>
    public Dictionary<string, List<string>> Errors { get; } = new();

    /// <summary>A form that no longer applies (the wallet was terminated meanwhile), said plainly above it.</summary>
    public string? Stale { get; set; }

    /// <summary>The fields this page's form shows; an error on any other field is shown above the form.</summary>
    protected virtual IReadOnlyCollection<string> FormFields => [];

    /// <summary>An API error in words, next to the form field it concerns (<see cref="ErrorWords"/>).</summary>
    protected void ShowError(LagoError error)
    {
        if (ErrorWords.StaleMessage(error) is { } stale)
        {
            Stale = stale;
            return;
        }
        foreach (var (field, codes) in error.Details ?? new Dictionary<string, string[]> { ["base"] = [error.Code ?? "unexpected"] })
        {
            var shownAt = ErrorWords.FormField(field);
            if (!FormFields.Contains(shownAt)) shownAt = "base";
            // Lago gives a malformed credit amount two codes (`invalid_paid_credits`, `invalid_amount`); the first says it.
            foreach (var code in codes.Contains($"invalid_{field}") ? codes.Where(c => c != "invalid_amount") : codes)
                AddError(shownAt, ErrorWords.For(field, code));
        }
    }

    /// <summary>
    /// Fields the form could not turn into API input, with every other field's error from the API's own validator
    /// alongside, so a person fixes everything in one go; true when there are any.
    /// </summary>
    protected bool HasFormErrors<T>(T input, IReadOnlyDictionary<string, string> formErrors, FluentValidation.IValidator<T> validator)
    {
        if (formErrors.Count == 0) return false;
        if (validator.Check(input) is { } invalid) ShowError(invalid);
        foreach (var (field, words) in formErrors)
        {
            Errors.Remove(field);
            AddError(field, words);
        }
        return true;
    }

    protected void AddError(string field, string words)
    {
        if (!Errors.TryGetValue(field, out var list)) Errors[field] = list = [];
        if (!list.Contains(words)) list.Add(words);
    }

    public bool HasErrors => Errors.Count > 0 || Stale is not null;

    public IHtmlContent ErrorFor(string field)
    {
        if (!Errors.TryGetValue(field, out var words)) return HtmlString.Empty;
        var html = new HtmlContentBuilder();
        html.AppendHtml($"<span class=\"field-error\" id=\"error-{field}\" role=\"alert\">");
        html.Append(string.Join(" ", words));
        html.AppendHtml("</span>");
        return html;
    }

    /// <summary>The form's own errors (and those of fields it does not show), above it.</summary>
    public IHtmlContent FormErrors()
    {
        var html = new HtmlContentBuilder();
        if (Stale is not null) html.AppendHtml("<div class=\"banner stale\" role=\"alert\">").Append(Stale).AppendHtml("</div>");
        if (Errors.TryGetValue("base", out var words))
            foreach (var w in words) html.AppendHtml("<div class=\"banner error\" id=\"error-base\" role=\"alert\">").Append(w).AppendHtml("</div>");
        return html;
    }

    /// <summary>A 404 page saying what was not found, in the layout's place.</summary>
    protected IActionResult Missing(string what)
    {
        Response.StatusCode = StatusCodes.Status404NotFound;
        return Partial("_Missing", what);
    }

    /// <summary>A query value, or null when absent or blank.</summary>
    protected string? Query(string name) => Request.Query[name].ToString() is { Length: > 0 } value ? value : null;

    protected PageRequest PageFromQuery() =>
        new(int.TryParse(Query("page"), NumberStyles.None, CultureInfo.InvariantCulture, out var page) && page > 0 ? page : 1, PerPage);

    /// <summary>Form text as the API receives it: blank is absent.</summary>
    protected static string? Text(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
