using Microsoft.EntityFrameworkCore;
using Wallets.Api.Data;

namespace Wallets.Api.Features.Invoices;

/// <summary>
/// A purchase of credits is billed on an invoice of type `credit` with one `credit` fee and no tax.
/// With `invoice_requires_successful_payment` it stays `open` until paid, otherwise it is finalized at once;
/// either way the credits wait for the payment.
/// </summary>
public sealed class CreditInvoices(WalletsDbContext db, InvoiceWebhooks webhooks, TimeProvider clock)
{
    public async Task<Invoice> BillPurchaseAsync(Wallet wallet, Customer customer, Data.WalletTransaction purchase, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var invoice = await NewInvoiceAsync(customer, "credit", wallet.Currency, ct);
        invoice.Status = purchase.InvoiceRequiresSuccessfulPayment ? "open" : "finalized";
        invoice.FinalizedAt = purchase.InvoiceRequiresSuccessfulPayment ? null : now;
        invoice.IssuingDate = invoice.PaymentDueDate = today;
        invoice.FeesAmountCents = invoice.TotalAmountCents = purchase.AmountCents;
        invoice.Fees.Add(new Fee
        {
            Id = Ids.New(), OrganizationId = wallet.OrganizationId, InvoiceId = invoice.Id, FeeType = "credit",
            WalletTransactionId = purchase.Id, InvoiceDisplayName = purchase.Name, Units = purchase.CreditAmount,
            UnitAmountCents = (long)Math.Round(wallet.Rate.UnitAmountCents, MidpointRounding.AwayFromZero),
            AmountCents = purchase.AmountCents, PreciseAmountCents = purchase.AmountCents, CreatedAt = now, UpdatedAt = now,
        });
        purchase.InvoiceId = invoice.Id;
        db.Invoices.Add(invoice);
        // Lago's PaidCreditService: a credit invoice finalized at once is announced now; an open one when it is paid.
        if (invoice.Status == "finalized") await webhooks.EnqueueAsync(invoice, "invoice.paid_credit_added", ct);
        return invoice;
    }

    /// <summary>A numbered invoice of the customer; the caller holds the customer lock, so numbers never collide.</summary>
    public async Task<Invoice> NewInvoiceAsync(Customer customer, string type, string currency, CancellationToken ct)
    {
        var last = await db.Invoices.Where(i => i.CustomerId == customer.Id).MaxAsync(i => (long?)i.SequentialId, ct) ?? 0;
        return NewInvoice(customer, type, currency, last + 1);
    }

    /// <summary>
    /// The customer's invoice number <paramref name="sequentialId"/>, for a caller that read the last one under the
    /// customer lock (a unique index refuses a number taken twice).
    /// </summary>
    public Invoice NewInvoice(Customer customer, string type, string currency, long sequentialId)
    {
        var now = clock.GetUtcNow();
        return new Invoice
        {
            Id = Ids.New(), OrganizationId = customer.OrganizationId, CustomerId = customer.Id, SequentialId = sequentialId,
            Number = $"WLT-{customer.SequentialId:D3}-{sequentialId:D3}", InvoiceType = type, Status = "draft", Currency = currency,
            NetPaymentTerm = customer.NetPaymentTerm ?? 0, CreatedAt = now, UpdatedAt = now,
        };
    }
}
