using Microsoft.EntityFrameworkCore;
using Wallets.Api.Data;
using Wallets.Api.Features.Subscriptions;

namespace Wallets.Api.Features.Invoices;

/// <summary>Loads what invoice objects show (customer, fees, the subscriptions billed) and renders them.</summary>
public sealed class InvoiceViews(WalletsDbContext db, SubscriptionViews subscriptionViews)
{
    /// <summary>
    /// Invoices with everything their object shows, for a query of the caller. An invoice outlives its customer (as in
    /// Lago): it stays readable, payable and voidable after the customer is deleted.
    /// </summary>
    public static IQueryable<Invoice> WithDetails(IQueryable<Invoice> invoices) =>
        invoices.IgnoreQueryFilters([WalletsDbContext.LiveCustomersFilter]).Include(i => i.Customer).Include(i => i.Fees).Include(i => i.InvoiceSubscriptions).AsSplitQuery();

    /// <summary>A list's order, newest first, with the details each invoice object shows.</summary>
    public static IQueryable<Invoice> Listed(IQueryable<Invoice> invoices) =>
        WithDetails(invoices.AsNoTracking()).OrderByDescending(i => i.CreatedAt).ThenBy(i => i.Id);

    public async Task<Invoice?> FindAsync(Guid id, CancellationToken ct) =>
        await WithDetails(db.Invoices.AsNoTracking()).FirstOrDefaultAsync(i => i.Id == id, ct);

    public async Task<InvoiceView> OneAsync(Invoice invoice, CancellationToken ct) => (await ManyAsync([invoice], ct))[0];

    public async Task<List<InvoiceView>> ManyAsync(IReadOnlyList<Invoice> invoices, CancellationToken ct)
    {
        var ids = invoices.SelectMany(i => i.InvoiceSubscriptions.Select(s => s.SubscriptionId)).Distinct().ToList();
        var views = new Dictionary<Guid, SubscriptionView>();
        if (ids.Count > 0)
        {
            var subscriptions = await db.Subscriptions.AsNoTracking().Where(s => ids.Contains(s.Id)).ToListAsync(ct);
            foreach (var view in await subscriptionViews.ManyAsync(subscriptions, withPlan: false, ct)) views[view.LagoId] = view;
        }
        return invoices.Select(i => InvoiceView.From(i, views)).ToList();
    }
}
