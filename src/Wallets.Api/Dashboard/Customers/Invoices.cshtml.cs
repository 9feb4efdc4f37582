using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Wallets.Api.Data;
using Wallets.Api.Features.Customers;
using Wallets.Api.Features.Invoices;
using Wallets.Api.Http;

namespace Wallets.Api.Dashboard.Customers;

/// <summary>The customer's invoices with the prepaid credits applied; a credit invoice marked paid settles its purchase.</summary>
public sealed class InvoicesModel(CustomerReads customers, WalletsDbContext db, InvoiceViews views, InvoicePaymentHandler payments) : DashboardPage
{
    public Customer Customer { get; private set; } = null!;
    public IReadOnlyList<InvoiceView> Invoices { get; private set; } = [];
    public PageMeta Meta { get; private set; } = null!;

    public Task<IActionResult> OnGetAsync(Guid id, CancellationToken ct) => ShowAsync(id, ct);

    public async Task<IActionResult> OnPostPayAsync(Guid id, [FromForm(Name = "invoice_id")] Guid invoiceId, CancellationToken ct)
    {
        // Only this customer's invoice: the form names one, the route names whose page it is.
        var ofCustomer = await db.Invoices.AnyAsync(i => i.Id == invoiceId && i.CustomerId == id, ct);
        if (!ofCustomer) ShowError(LagoError.NotFound("invoice"));
        else if (await db.Invoices.AnyAsync(i => i.Id == invoiceId && i.PaymentStatus == "succeeded", ct)) Stale = "This invoice was already paid.";
        else
        {
            var result = await payments.UpdateAsync(invoiceId.ToString(), new InvoiceUpdateInput { PaymentStatus = "succeeded" }, ct);
            if (result.IsOk) return Redirect($"/customers/{id}/invoices?notice=paid");
            ShowError(result.Error!);
        }
        return await ShowAsync(id, ct);
    }

    private async Task<IActionResult> ShowAsync(Guid id, CancellationToken ct)
    {
        if (await customers.FindAsync(id, ct) is not { } customer) return Missing("customer");
        Customer = customer;
        var page = await PageFromQuery().ToPageAsync(InvoiceViews.Listed(db.Invoices.Where(i => i.CustomerId == id)), ct);
        Invoices = await views.ManyAsync(page.Rows, ct);
        Meta = page.Meta;
        return Page();
    }
}
