using Microsoft.EntityFrameworkCore;
using Wallets.Api.Data;
using Wallets.Api.Http;

namespace Wallets.Api.Features.Taxes;

/// <summary>The `tax_codes` of customers, plans and charges: resolved to taxes, then applied as a replacement list.</summary>
public static class TaxCodes
{
    /// <summary>The taxes with these codes, or Lago's 404 `tax_not_found` when any code is unknown.</summary>
    public static async Task<Result<List<Tax>>> ResolveAsync(WalletsDbContext db, IReadOnlyCollection<string?>? codes, CancellationToken ct)
    {
        var wanted = (codes ?? []).Where(c => !string.IsNullOrEmpty(c)).Select(c => c!).Distinct(StringComparer.Ordinal).ToList();
        if (wanted.Count == 0) return new List<Tax>();
        var taxes = await db.Taxes.Where(t => wanted.Contains(t.Code)).ToListAsync(ct);
        return taxes.Count == wanted.Count ? taxes : LagoError.NotFound("tax");
    }

    /// <summary>Makes <paramref name="applied"/> hold exactly <paramref name="taxes"/>: links kept, missing ones added, others removed.</summary>
    public static void Replace<T>(List<T> applied, IReadOnlyList<Tax> taxes, Func<Tax, T> link) where T : IAppliedTax
    {
        var wanted = taxes.Select(t => t.Id).ToHashSet();
        applied.RemoveAll(a => !wanted.Contains(a.Tax.Id));
        var present = applied.Select(a => a.Tax.Id).ToHashSet();
        applied.AddRange(taxes.Where(t => !present.Contains(t.Id)).Select(link));
    }
}
