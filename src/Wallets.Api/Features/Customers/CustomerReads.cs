using Microsoft.EntityFrameworkCore;
using Wallets.Api.Data;
using Wallets.Api.Http;

namespace Wallets.Api.Features.Customers;

/// <summary>The organization's customers as the API and the dashboard list them: newest first, optionally searched.</summary>
public sealed class CustomerReads(WalletsDbContext db)
{
    /// <summary>Lago's `search_term`: a part of the name, first name, last name, legal name, external id or e-mail, any case.</summary>
    public Task<Page<Customer>> PageAsync(PageRequest page, string? searchTerm, CancellationToken ct)
    {
        var customers = db.Customers.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(searchTerm))
        {
            // The term is matched literally: LIKE's wildcards and escape in it are escaped.
            var pattern = "%" + searchTerm.Trim().Replace(@"\", @"\\").Replace("%", @"\%").Replace("_", @"\_") + "%";
            customers = customers.Where(c => EF.Functions.ILike(c.ExternalId, pattern, @"\") || EF.Functions.ILike(c.Name ?? "", pattern, @"\")
                || EF.Functions.ILike(c.Firstname ?? "", pattern, @"\") || EF.Functions.ILike(c.Lastname ?? "", pattern, @"\")
                || EF.Functions.ILike(c.LegalName ?? "", pattern, @"\") || EF.Functions.ILike(c.Email ?? "", pattern, @"\"));
        }
        return page.ToPageAsync(customers.OrderByDescending(c => c.CreatedAt).ThenBy(c => c.Id), ct);
    }

    public Task<Customer?> FindAsync(Guid id, CancellationToken ct) => db.Customers.AsNoTracking().FirstOrDefaultAsync(c => c.Id == id, ct);
}
