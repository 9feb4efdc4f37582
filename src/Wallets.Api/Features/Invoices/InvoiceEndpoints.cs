using Microsoft.EntityFrameworkCore;
using Wallets.Api.Data;
using Wallets.Api.Http;
using Wallets.Api.Http.OpenApi;

namespace Wallets.Api.Features.Invoices;

public static class InvoiceEndpoints
{
    public static RouteGroupBuilder MapInvoiceEndpoints(this RouteGroupBuilder api)
    {
        var invoices = api.MapGroup("/invoices").WithTags("Invoices");
        invoices.MapPost("/", CreateInvoice).WithName("createInvoice").ProducesLagoErrors(404).Accepts<OneOffInvoiceRequest>("application/json").Produces<InvoiceEnvelope>();
        invoices.MapGet("/", FindAllInvoices).WithName("findAllInvoices")
            .WithQuery("external_customer_id", "Only this customer's invoices.").WithInvoiceFilters().ProducesLagoErrors(404).Produces<InvoicesPage>();
        invoices.MapGet("/{lago_id}", FindInvoice).WithName("findInvoice").Produces<InvoiceEnvelope>();
        invoices.MapPut("/{lago_id}", UpdateInvoice).WithName("updateInvoice").Accepts<InvoiceRequest>("application/json").Produces<InvoiceEnvelope>();
        invoices.MapPost("/{lago_id}/void", VoidInvoice).WithName("voidInvoice").ProducesLagoErrors(405).Produces<InvoiceEnvelope>();
        api.MapGet("/customers/{external_customer_id}/invoices", FindAllCustomerInvoices).WithTags("Invoices")
            .WithName("findAllCustomerInvoices").WithInvoiceFilters().Produces<InvoicesPage>();
        return api;
    }

    /// <summary>The filters <see cref="ListAsync"/> reads.</summary>
    private static RouteHandlerBuilder WithInvoiceFilters(this RouteHandlerBuilder endpoint) => endpoint
        .WithQuery("invoice_type", "e.g. `subscription`, `credit`, `one_off`.")
        .WithQuery("currency", "Only invoices in this currency.")
        .WithQuery("status", "`draft`, `finalized`, `voided`, ...")
        .WithQuery("statuses[]", "Several statuses, repeated.")
        .WithQuery("payment_status", "`pending`, `succeeded` or `failed`.")
        .WithQuery("payment_statuses[]", "Several payment statuses, repeated.")
        .WithQuery("issuing_date_from", "YYYY-MM-DD.")
        .WithQuery("issuing_date_to", "YYYY-MM-DD.")
        .WithQuery("amount_from", "Minimum total, in cents.")
        .WithQuery("amount_to", "Maximum total, in cents.");

    public sealed record InvoiceRequest(InvoiceUpdateInput Invoice);

    private static async Task<IResult> Render(Result<Invoice> result, InvoiceViews views, CancellationToken ct) =>
        result.IsOk ? Results.Json(new InvoiceEnvelope(await views.OneAsync(result.Value!, ct)), LagoJson.Options) : result.Error!.ToResult();

    /// <summary>Creates a one-off invoice of add-ons, finalized at once.</summary>
    private static async Task<IResult> CreateInvoice(HttpRequest request, OneOffInvoiceHandler handler, InvoiceViews views, CancellationToken ct)
    {
        var input = await LagoBody.ReadAsync<OneOffInvoiceInput>(request, "invoice");
        if (!input.IsOk) return input.Error!.ToResult();
        return await Render(await handler.CreateAsync(input.Value!, ct), views, ct);
    }

    /// <summary>An invoice with its fees, taxes and customer.</summary>
    private static async Task<IResult> FindInvoice(string lago_id, InvoiceViews views, CancellationToken ct)
    {
        var invoice = Guid.TryParse(lago_id, out var id) ? await views.FindAsync(id, ct) : null;
        return invoice is null ? LagoError.NotFound("invoice").ToResult() : Results.Json(new InvoiceEnvelope(await views.OneAsync(invoice, ct)), LagoJson.Options);
    }

    /// <summary>Sets an invoice's `payment_status` (a paid credit purchase settles its top-up) or metadata.</summary>
    private static async Task<IResult> UpdateInvoice(string lago_id, HttpRequest request, InvoicePaymentHandler handler, InvoiceViews views, CancellationToken ct)
    {
        var input = await LagoBody.ReadAsync<InvoiceUpdateInput>(request, "invoice");
        if (!input.IsOk) return input.Error!.ToResult();
        return await Render(await handler.UpdateAsync(lago_id, input.Value!, ct), views, ct);
    }

    /// <summary>Voids a finalized invoice; its wallet debits are refunded.</summary>
    private static async Task<IResult> VoidInvoice(string lago_id, InvoiceVoidHandler handler, InvoiceViews views, CancellationToken ct) =>
        await Render(await handler.VoidAsync(lago_id, ct), views, ct);

    /// <summary>Lists invoices, newest first (filters: `external_customer_id`, `invoice_type`, …).</summary>
    private static Task<IResult> FindAllInvoices(HttpRequest request, WalletsDbContext db, InvoiceViews views, CancellationToken ct) =>
        ListAsync(request, db, views, request.Query["external_customer_id"].ToString(), ct);

    /// <summary>Lists a customer's invoices, newest first.</summary>
    private static Task<IResult> FindAllCustomerInvoices(
        string external_customer_id, HttpRequest request, WalletsDbContext db, InvoiceViews views, CancellationToken ct) =>
        ListAsync(request, db, views, external_customer_id, ct);

    /// <summary>Lago's basic filters: customer, invoice_type, currency, status(es), payment_status(es), issuing dates, amounts.</summary>
    private static async Task<IResult> ListAsync(HttpRequest request, WalletsDbContext db, InvoiceViews views, string externalCustomerId, CancellationToken ct)
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

        var page = await PageRequest.From(request).ToPageAsync(InvoiceViews.Listed(query), ct);
        return Results.Json(new InvoicesPage(await views.ManyAsync(page.Rows, ct), page.Meta), LagoJson.Options);
    }
}
