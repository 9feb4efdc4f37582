using Microsoft.EntityFrameworkCore;

namespace Wallets.Api.Http;

/// <summary>Lago's `page`/`per_page` (default 100) and its `meta` block.</summary>
public readonly record struct PageRequest(int Page, int PerPage)
{
    public const int DefaultPerPage = 100;

    public static PageRequest From(HttpRequest request) =>
        new(Positive(request.Query["page"], 1), Positive(request.Query["per_page"], DefaultPerPage));

    private static int Positive(string? text, int fallback) =>
        int.TryParse(text, out var value) && value > 0 ? value : fallback;

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
