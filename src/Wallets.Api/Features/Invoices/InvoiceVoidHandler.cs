using Microsoft.EntityFrameworkCore;
using Wallets.Api.Data;
using Wallets.Api.Http;
using Wallets.Api.Ledger;

namespace Wallets.Api.Features.Invoices;

/// <summary>
/// `POST /invoices/{id}/void` (Lago's Invoices::VoidService without a credit note): only a finalized invoice can be
/// voided (else 405 `not_voidable`). The credits its wallets paid come back as Lago gives them back (behavior.md §2.6):
/// one new granted inbound per `invoiced` debit of the invoice, for wallets that are still active (a terminated wallet
/// holds nothing, DESIGN decision 5). A voided credit invoice's purchase, if still unpaid, will never settle.
/// </summary>
public sealed class InvoiceVoidHandler(WalletsDbContext db, WalletLedger ledger, RequestTransaction request, InvoiceWebhooks webhooks, TimeProvider clock)
{
    public async Task<Result<Invoice>> VoidAsync(string lagoId, CancellationToken ct)
    {
        if (!Guid.TryParse(lagoId, out var id)) return LagoError.NotFound("invoice");
        var customerId = await db.Invoices.Where(i => i.Id == id).Select(i => (Guid?)i.CustomerId).FirstOrDefaultAsync(ct);
        if (customerId is null) return LagoError.NotFound("invoice");

        await using var tx = await request.BeginOrJoinAsync(ct);
        // The customer lock serializes voids of one invoice (the second finds it voided) and every wallet change.
        await db.LockCustomerAsync(customerId.Value, ct);
        var invoice = await InvoiceViews.WithDetails(db.Invoices).FirstAsync(i => i.Id == id, ct);
        if (invoice.Status != InvoiceStatus.Finalized) return LagoError.NotAllowed("not_voidable");

        var now = clock.GetUtcNow();
        invoice.Status = InvoiceStatus.Voided;
        invoice.VoidedAt = invoice.UpdatedAt = now;

        var debits = await db.WalletTransactions.Include(t => t.Wallet)
            .Where(t => t.InvoiceId == id && t.TransactionType == Direction.Outbound && t.TransactionStatus == TxKind.Invoiced)
            .OrderBy(t => t.Id).ToListAsync(ct);
        // The wallets' due expiries take effect before the credits given back.
        await ledger.ExpireDueAsync(debits.Where(d => d.Wallet.IsActive).Select(d => d.Wallet), ct);
        foreach (var debit in debits.Where(d => d.Wallet.IsActive))
            ledger.Regrant(debit.Wallet, debit, invoice.Id);

        if (invoice.InvoiceType == InvoiceType.Credit)
        {
            var purchaseIds = invoice.Fees.Select(f => f.WalletTransactionId).OfType<Guid>().ToList();
            foreach (var purchase in await db.WalletTransactions.Include(t => t.Wallet).Where(t => purchaseIds.Contains(t.Id)).ToListAsync(ct))
                ledger.Fail(purchase, purchase.Wallet, paymentFailed: false);
        }

        await ledger.SaveAsync(ct);
        await webhooks.EnqueueAsync(invoice, "invoice.voided", ct);
        await tx.CommitAsync(ct);
        return invoice;
    }
}
