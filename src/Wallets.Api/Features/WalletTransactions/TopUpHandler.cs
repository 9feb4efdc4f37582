using Microsoft.EntityFrameworkCore;
using Wallets.Api.Data;
using Wallets.Api.Features.Invoices;
using Wallets.Api.Http;
using Wallets.Api.Ledger;

namespace Wallets.Api.Features.WalletTransactions;

/// <summary>
/// `POST /wallet_transactions`: in one transaction and in Lago's order, a paid top-up (pending until its invoice is
/// paid), a free grant (usable at once) and a void (pool-wide, or of one grant). All checks run before any write.
/// Grants and voids take the ledger's hot path (<see cref="GrantsAndVoids"/>), batched with concurrent requests by the
/// <see cref="LedgerWriter"/>, unless the request holds a transaction (an Idempotency-Key request) or buys credits:
/// then they are planned in that transaction's ledger session, after the purchase and its invoice. `expiration_at`
/// applies to the credits the request creates, paid or granted.
/// </summary>
public sealed class TopUpHandler(WalletsDbContext db, Tenant tenant, WalletLedger ledger, LedgerWriter writer, CreditInvoices invoices,
    RequestTransaction request, TimeProvider clock)
{
    private static readonly WalletTransactionValidator Validator = new(); // stateless, and costly to build

    public async Task<Result<List<WalletTransaction>>> HandleAsync(WalletTransactionInput input, CancellationToken ct)
    {
        if (Validator.Check(input) is { } invalid) return invalid;
        var expiration = TopUpAmounts.ParseExpiration(input.ExpirationAt, "expiration_at", clock.GetUtcNow());
        if (!expiration.IsOk) return expiration.Error!;
        if (!Guid.TryParse(input.WalletId, out var walletId)) return LagoError.Validation("wallet_id", "wallet_not_found");
        var grantOrVoid = new GrantOrVoid(tenant.OrganizationId, walletId, input.GrantedCredits, input.VoidedCredits,
            string.IsNullOrEmpty(input.VoidedTransactionId) ? null : Guid.Parse(input.VoidedTransactionId),
            input.Name, input.Priority, input.Metadata, input.InvoiceRequiresSuccessfulPayment, expiration.Value);
        if (input.PaidCredits is null && request.Held is null) return await writer.WriteAsync(grantOrVoid, ct);

        await using var tx = await request.BeginOrJoinAsync(ct);
        var created = new List<WalletTransaction>();
        if (input.PaidCredits is not null)
        {
            var wallet = await ledger.LockWalletAsync(walletId, ct);
            if (wallet is null) return LagoError.Validation("wallet_id", "wallet_not_found");
            if (!wallet.IsActive) return LagoError.Validation("wallet_id", "wallet_is_terminated");
            var paid = TopUpAmounts.Parse(wallet.Rate, input.PaidCredits, "paid_credits", roundTrip: true);
            if (!paid.IsOk) return paid.Error!;
            if (paid.Value is { } credits)
            {
                if (input.IgnorePaidTopUpLimits != true && TopUpAmounts.CheckLimits(wallet, credits) is { } limit) return limit;
                var pending = await db.WalletTransactions.Where(t => t.WalletId == wallet.Id && t.Status == TxStatus.Pending)
                    .SumAsync(t => (decimal)t.AmountCents, ct);
                if (TopUpAmounts.CheckRoom(wallet.BalanceCents + pending, credits, null) is { } full) return full;

                var name = string.IsNullOrWhiteSpace(input.Name) ? null : input.Name;
                var purchase = ledger.Purchase(wallet, credits,
                    new TopUpDetails(name, input.Priority, input.Metadata, input.InvoiceRequiresSuccessfulPayment, ExpirationAt: expiration.Value));
                await invoices.BillPurchaseAsync(wallet, wallet.Customer, purchase, ct);
                created.Add(purchase);
            }
        }

        // The grant and the void join this transaction: if either is refused, the purchase is rolled back with it.
        var rest = (await GrantsAndVoids.PlanAsync(ledger.Session, [grantOrVoid], clock.GetUtcNow(), ct))[0];
        if (!rest.IsOk) return rest.Error!;
        created.AddRange(rest.Value!);
        await ledger.SaveAsync(ct);
        await tx.CommitAsync(ct);
        return created;
    }
}
