using Microsoft.EntityFrameworkCore;
using Wallets.Api.Data;
using Wallets.Api.Http;

namespace Wallets.Api.Features.Invoices;

public static class InvoiceEndpoints
{
    public static RouteGroupBuilder MapInvoiceEndpoints(this RouteGroupBuilder api)
    {
        var invoices = api.MapGroup("/invoices").WithTags("Invoices");
        invoices.MapGet("/", FindAllInvoices).WithName("findAllInvoices").Produces<InvoicesPage>();
        invoices.MapGet("/{lago_id}", FindInvoice).WithName("findInvoice").Produces<InvoiceEnvelope>();
        invoices.MapPut("/{lago_id}", UpdateInvoice).WithName("updateInvoice").Accepts<InvoiceRequest>("application/json").Produces<InvoiceEnvelope>();
        api.MapGet("/customers/{external_customer_id}/invoices", FindAllCustomerInvoices).WithTags("Invoices")
            .WithName("findAllCustomerInvoices").Produces<InvoicesPage>();
        return api;
    }

    public sealed record InvoiceRequest(InvoiceUpdateInput Invoice);

    private static async Task<IResult> FindInvoice(string lago_id, WalletsDbContext db, CancellationToken ct)
    {
        var invoice = Guid.TryParse(lago_id, out var id)
            ? await db.Invoices.AsNoTracking().Include(i => i.Customer).Include(i => i.Fees).FirstOrDefaultAsync(i => i.Id == id, ct)
            : null;
        return invoice is null ? LagoError.NotFound("invoice").ToResult() : Results.Json(new InvoiceEnvelope(InvoiceView.From(invoice)), LagoJson.Options);
    }

    private static async Task<IResult> UpdateInvoice(string lago_id, HttpRequest request, InvoicePaymentHandler handler, CancellationToken ct)
    {
        var input = await LagoBody.ReadAsync<InvoiceUpdateInput>(request, "invoice");
        if (!input.IsOk) return input.Error!.ToResult();
        return (await handler.UpdateAsync(lago_id, input.Value!, ct)).ToHttp(i => new InvoiceEnvelope(InvoiceView.From(i)));
    }

    private static Task<IResult> FindAllInvoices(HttpRequest request, WalletsDbContext db, CancellationToken ct) =>
        ListAsync(request, db, request.Query["external_customer_id"].ToString(), ct);

    private static Task<IResult> FindAllCustomerInvoices(string external_customer_id, HttpRequest request, WalletsDbContext db, CancellationToken ct) =>
        ListAsync(request, db, external_customer_id, ct);

    /// <summary>Lago's basic filters: customer, invoice_type, currency, status(es), payment_status(es), issuing dates, amounts.</summary>
    private static async Task<IResult> ListAsync(HttpRequest request, WalletsDbContext db, string externalCustomerId, CancellationToken ct)
    {
        var query = db.Invoices.AsNoTracking();
        var q = request.Query;
        if (externalCustomerId.Length > 0)
        {
            var customerId = await db.Customers.Where(c => c.ExternalId == externalCustomerId).Select(c => (Guid?)c.Id).FirstOrDefaultAsync(ct);
            if (customerId is null) return LagoError.NotFound("customer").ToResult();
            query = query.Where(i => i.CustomerId == customerId);
        }
        if (q["invoice_type"].ToString() is { Length: > 0 } type) query = query.Where(i => i.InvoiceType == type);
        if (q["currency"].ToString() is { Length: > 0 } currency) query = query.Where(i => i.Currency == currency);
        var statuses = q["statuses[]"].Concat(q["status"]).OfType<string>().ToList();
        if (statuses.Count > 0) query = query.Where(i => statuses.Contains(i.Status));
        var paymentStatuses = q["payment_statuses[]"].Concat(q["payment_status"]).OfType<string>().ToList();
        if (paymentStatuses.Count > 0) query = query.Where(i => paymentStatuses.Contains(i.PaymentStatus));
        if (DateOnly.TryParse(q["issuing_date_from"], out var from)) query = query.Where(i => i.IssuingDate >= from);
        if (DateOnly.TryParse(q["issuing_date_to"], out var to)) query = query.Where(i => i.IssuingDate <= to);
        if (long.TryParse(q["amount_from"], out var min)) query = query.Where(i => i.TotalAmountCents >= min);
        if (long.TryParse(q["amount_to"], out var max)) query = query.Where(i => i.TotalAmountCents <= max);

        var page = await PageRequest.From(request).ToPageAsync(
            query.Include(i => i.Customer).Include(i => i.Fees).AsSplitQuery().OrderByDescending(i => i.CreatedAt).ThenBy(i => i.Id), ct);
        return Results.Json(new InvoicesPage(page.Rows.Select(InvoiceView.From).ToList(), page.Meta), LagoJson.Options);
    }
}
