using Microsoft.EntityFrameworkCore;
using Wallets.Api.Data;
using Wallets.Api.Http;
using Wallets.Api.Ledger;

namespace Wallets.Api.Features.Invoices;

/// <summary>
/// `PUT /invoices/{id}`: a payment status change. When a credit invoice is paid, its purchase settles exactly
/// once (under the customer lock; a repeat or a concurrent duplicate finds it settled); when it fails, the
/// purchase fails. An invoice left `open` until payment is finalized then.
/// </summary>
public sealed class InvoicePaymentHandler(WalletsDbContext db, WalletLedger ledger, RequestTransaction request, InvoiceWebhooks webhooks, TimeProvider clock)
{
    private static readonly string[] PaymentStatuses = ["pending", "succeeded", "failed"];

    public async Task<Result<Invoice>> UpdateAsync(string lagoId, InvoiceUpdateInput input, CancellationToken ct)
    {
        if (input.PaymentStatus is not null && !PaymentStatuses.Contains(input.PaymentStatus))
            return LagoError.Validation("payment_status", "value_is_invalid");
        if (input.Metadata?.Any(m => m is null || string.IsNullOrEmpty(m.Key)) == true) return LagoError.Validation("metadata", "invalid_key_value_pair");
        if (!Guid.TryParse(lagoId, out var id)) return LagoError.NotFound("invoice");
        var customerId = await db.Invoices.Where(i => i.Id == id).Select(i => (Guid?)i.CustomerId).FirstOrDefaultAsync(ct);
        if (customerId is null) return LagoError.NotFound("invoice");

        await using var tx = await request.BeginOrJoinAsync(ct);
        await db.LockCustomerAsync(customerId.Value, ct);
        var invoice = await InvoiceViews.WithDetails(db.Invoices).FirstAsync(i => i.Id == id, ct);
        var now = clock.GetUtcNow();
        if (input.Metadata is not null) invoice.Metadata = input.Metadata;
        var (paymentChanged, wasOpen) = (input.PaymentStatus is { } sent && sent != invoice.PaymentStatus, invoice.Status == "open");
        if (input.PaymentStatus is { } status && status != invoice.PaymentStatus)
        {
            invoice.PaymentStatus = status;
            if (invoice.InvoiceType == "credit") await ApplyToPurchaseAsync(invoice, status, now, ct);
        }
        invoice.UpdatedAt = now;
        await ledger.SaveAsync(ct);
        if (paymentChanged) await webhooks.EnqueueAsync(invoice, "invoice.payment_status_updated", ct);
        if (wasOpen && invoice.Status == "finalized") await webhooks.EnqueueAsync(invoice, "invoice.paid_credit_added", ct);
        await tx.CommitAsync(ct);
        return invoice;
    }

    private async Task ApplyToPurchaseAsync(Invoice invoice, string status, DateTimeOffset now, CancellationToken ct)
    {
        var purchaseId = invoice.Fees.Select(f => f.WalletTransactionId).FirstOrDefault(t => t is not null);
        var purchase = await db.WalletTransactions.Include(t => t.Wallet).ThenInclude(w => w.Customer).FirstOrDefaultAsync(t => t.Id == purchaseId, ct);
        if (purchase is null) return;
        if (status == "failed")
        {
            ledger.Fail(purchase, purchase.Wallet, paymentFailed: true);
            return;
        }
        if (status != "succeeded") return;
        // The wallet's due expiries take effect before the credits paid for.
        await ledger.ExpireDueAsync([purchase.Wallet], ct);
        if (!ledger.Settle(purchase, purchase.Wallet)) return;

        if (invoice.Status == "open")
        {
            invoice.Status = "finalized";
            invoice.FinalizedAt = now;
            invoice.IssuingDate = invoice.PaymentDueDate = DateOnly.FromDateTime(now.UtcDateTime);
        }
        // A terminated wallet holds nothing (DESIGN.md 5): credits paid after termination are voided at once, traced.
        if (!purchase.Wallet.IsActive) await ledger.VoidRemainingAsync(purchase.Wallet, ct);
    }
}
