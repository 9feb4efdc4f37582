using Microsoft.EntityFrameworkCore;
using Wallets.Api.Data;
using Wallets.Api.Ledger;
using Wallets.Domain.Allocation;

namespace Wallets.Api.Features.Invoices;

/// <summary>
/// Pays a finalized subscription invoice with the customer's wallets (behavior.md §3, DESIGN decision 3): last, on the
/// tax-inclusive total after credit notes; candidates are the active wallets in the invoice currency holding something,
/// by priority then age; fees are grouped into buckets by fee type, billable metric and target wallet; each wallet
/// that pays writes one outbound `invoiced` transaction whose fundings name the grants used. One-off and credit
/// invoices are never paid by wallets.
/// </summary>
public sealed class ApplyPrepaidCredits(WalletsDbContext db, WalletLedger ledger)
{
    /// <summary>
    /// The caller holds the customer lock, inside the transaction that creates the invoice, so balances cannot move
    /// underneath; a second application to the same invoice is refused by the database (one debit per invoice and wallet).
    /// <see cref="Invoice.TotalAmountCents"/> is the tax-inclusive amount after credit notes at this point.
    /// </summary>
    /// <param name="customerWallets">The customer's wallets, tracked, when the caller read them already (a billing batch); else they are read here.</param>
    public async Task ApplyAsync(Invoice invoice, CancellationToken ct, IEnumerable<Wallet>? customerWallets = null)
    {
        if (invoice.InvoiceType != InvoiceType.Subscription || invoice.TotalAmountCents <= 0) return;

        var all = (customerWallets ?? await db.Wallets.Where(w => w.CustomerId == invoice.CustomerId).ToListAsync(ct))
            .Where(w => w.CustomerId == invoice.CustomerId && w.IsActive && w.Currency == invoice.Currency).ToList();
        // Expired credits pay nothing: their expiries are written before the balances are shared out.
        await ledger.ExpireDueAsync(all, ct);
        var payers = all.Where(w => w.BalanceCents > 0).ToList();
        // Held credits are not the invoice's to take: only what no live hold reserves pays.
        await ledger.ExpireDueHoldsAsync(payers.Where(w => w.HeldCents > 0).ToList(), ct);
        var wallets = payers.Where(w => w.AvailableCents > 0)
            .OrderBy(w => w.Priority).ThenBy(w => w.CreatedAt).ThenBy(w => w.Id, UuidOrder.Instance)
            .ToList();
        if (wallets.Count == 0) return;

        var candidates = await CandidatesAsync(wallets, ct);
        var fees = invoice.Fees.Select(f => new FeeToPay(
            f.FeeType, f.BillableMetricId, f.TargetWalletCode, f.AmountCents + f.TaxesPreciseAmountCents - PreciseCreditNotesAmountCents(f)));
        var allocations = PrepaidCreditAllocator.Allocate(candidates, fees.ToList(), invoice.TotalAmountCents);

        var byId = wallets.ToDictionary(w => w.Id);
        long granted = 0, purchased = 0;
        foreach (var allocation in allocations)
        {
            var wallet = byId[allocation.WalletId];
            var debit = await ledger.DebitAsync(wallet, TxKind.Invoiced, allocation.AmountCents,
                wallet.Rate.FromCents(allocation.AmountCents).Credits, ct, invoiceId: invoice.Id);
            // The allocator never takes more than a wallet's balance, and the balance is what its grants hold.
            if (!debit.IsOk) throw new InvalidOperationException($"wallet {wallet.Id} cannot fund {allocation.AmountCents}: {debit.Error}");
            foreach (var (kind, cents) in ledger.FundingsOf(debit.Value!))
            {
                if (kind == TxKind.Granted) granted += cents;
                else purchased += cents;
            }
        }

        var prepaid = allocations.Sum(a => a.AmountCents);
        invoice.PrepaidCreditAmountCents += prepaid;
        // Every wallet here is traceable (DESIGN decision 1), so the split is always known; Lago leaves zeros null.
        invoice.PrepaidGrantedCreditAmountCents = granted > 0 ? granted : null;
        invoice.PrepaidPurchasedCreditAmountCents = purchased > 0 ? purchased : null;
        invoice.TotalAmountCents -= prepaid;
        invoice.PaymentStatus = invoice.TotalAmountCents == 0 ? "succeeded" : "pending";
    }

    /// <summary>
    /// Credit notes do not exist yet: nothing is credited on a fee. When they arrive, a fee's precise credit-note
    /// amount is subtracted from what wallets may pay for it (Lago's cap), here.
    /// </summary>
    private static decimal PreciseCreditNotesAmountCents(Fee fee) => 0m;

    /// <summary>The wallets' applies_to limitations as the allocator sees them: fee types, and metric codes as metric ids.</summary>
    private async Task<List<WalletCandidate>> CandidatesAsync(List<Wallet> wallets, CancellationToken ct)
    {
        var codes = wallets.SelectMany(w => w.BillableMetricCodes).Distinct().ToList();
        var metricIds = codes.Count == 0
            ? []
            : await db.BillableMetrics.Where(m => codes.Contains(m.Code)).Select(m => new { m.Code, m.Id }).ToDictionaryAsync(m => m.Code, m => m.Id, ct);
        return wallets.Select(w => new WalletCandidate(
            w.Id, w.Code, w.Priority, w.CreatedAt, w.AvailableCents,
            w.AllowedFeeTypes.ToHashSet(StringComparer.Ordinal),
            // A code that names no live metric still restricts the wallet: it maps to an id no charge has.
            w.BillableMetricCodes.Select(c => metricIds.GetValueOrDefault(c, Guid.Empty)).ToHashSet())).ToList();
    }
}
