using Microsoft.EntityFrameworkCore;

namespace Wallets.Api.Http;

/// <summary>
/// Lago's `page`/`per_page` (default 100) and its `meta` block. `per_page` is capped at <see cref="MaxPerPage"/>
/// (the capped page is answered, and `meta` counts pages of that size), so no list can make the process hold an
/// unbounded answer. Values that are not positive integers were refused by <see cref="PageQueryFilter"/>.
/// </summary>
public readonly record struct PageRequest(int Page, int PerPage)
{
    public const int DefaultPerPage = 100;
    public const int MaxPerPage = 1000;

    public static PageRequest From(HttpRequest request) =>
        new(Positive(request.Query["page"]) ?? 1, Math.Min(Positive(request.Query["per_page"]) ?? DefaultPerPage, MaxPerPage));

    /// <summary>The value when it is a positive integer (digits only), else null.</summary>
    public static int? Positive(string? text) =>
        int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value) && value > 0 ? value : null;

    public int Skip => (int)Math.Min(int.MaxValue, (long)(Page - 1) * PerPage);

    public async Task<Page<T>> ToPageAsync<T>(IQueryable<T> ordered, CancellationToken ct)
    {
        var total = await ordered.CountAsync(ct);
        var rows = total == 0 ? [] : await ordered.Skip(Skip).Take(PerPage).ToListAsync(ct);
        return new Page<T>(rows, PageMeta.Of(this, total));
    }
}

public sealed record Page<T>(IReadOnlyList<T> Rows, PageMeta Meta)
{
    public Page<TOut> Map<TOut>(Func<T, TOut> map) => new(Rows.Select(map).ToList(), Meta);
}

public sealed record PageMeta(int CurrentPage, int? NextPage, int? PrevPage, int TotalPages, long TotalCount)
{
    public static PageMeta Of(PageRequest request, long total)
    {
        if (total == 0) return new PageMeta(0, null, null, 0, 0);
        var pages = (int)((total + request.PerPage - 1) / request.PerPage);
        return new PageMeta(
            request.Page,
            request.Page < pages ? request.Page + 1 : null,
            request.Page > 1 ? request.Page - 1 : null,
            pages,
            total);
    }
}

/// <summary>
/// A `page` or `per_page` that is sent but is not a positive integer is a 400 with Lago's body, not a silent default:
/// a client asking for page "2x" would otherwise read page 1 again and again.
/// </summary>
public sealed class PageQueryFilter : IEndpointFilter
{
    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var request = context.HttpContext.Request;
        if (HttpMethods.IsGet(request.Method))
            foreach (var name in (ReadOnlySpan<string>)["page", "per_page"])
                if (request.Query.TryGetValue(name, out var values) && (values.Count != 1 || PageRequest.Positive(values[0]) is null))
                    return ValueTask.FromResult<object?>(LagoError.BadRequest($"{name} must be a positive integer").ToResult());
        return next(context);
    }
}
