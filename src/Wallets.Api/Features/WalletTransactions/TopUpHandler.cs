using Microsoft.EntityFrameworkCore;
using Npgsql;
using Wallets.Api.Data;
using Wallets.Api.Features.Invoices;
using Wallets.Api.Http;
using Wallets.Domain.Money;

namespace Wallets.Api.Features.WalletTransactions;

/// <summary>
/// `POST /wallet_transactions`: in one transaction and in Lago's order, a paid top-up (pending until its invoice is
/// paid), a free grant (usable at once) and a void (pool-wide, or of one grant). All checks run before any write.
/// Grants and voids take the ledger's hot path (<see cref="GrantsAndVoids"/>), batched with concurrent requests by the
/// <see cref="LedgerWriter"/> unless a transaction is already open (an Idempotency-Key request, a purchase): then they
/// join it. A purchase and its invoice are written first, in the same transaction.
/// </summary>
public sealed class TopUpHandler(WalletsDbContext db, Tenant tenant, Ledger ledger, LedgerWriter writer, CreditInvoices invoices, TimeProvider clock)
{
    private static readonly WalletTransactionValidator Validator = new(); // stateless, and costly to build

    public async Task<Result<List<WalletTransaction>>> HandleAsync(WalletTransactionInput input, CancellationToken ct)
    {
        if (Validator.Check(input) is { } invalid) return invalid;
        if (!Guid.TryParse(input.WalletId, out var walletId)) return LagoError.Validation("wallet_id", "wallet_not_found");
        var request = new TopUpRequest(tenant.OrganizationId, walletId, input);
        if (input.PaidCredits is null)
            return db.Database.CurrentTransaction is null ? await writer.WriteAsync(request, ct) : await JoinedAsync(request, ct);

        await using var tx = await db.BeginOrJoinAsync(ct);
        var wallet = await ledger.LockWalletAsync(walletId, ct);
        if (wallet is null) return LagoError.Validation("wallet_id", "wallet_not_found");
        if (!wallet.IsActive) return LagoError.Validation("wallet_id", "wallet_is_terminated");

        var paid = TopUpAmounts.Parse(wallet.Rate, input.PaidCredits, "paid_credits", roundTrip: true);
        if (!paid.IsOk) return paid.Error!;
        var created = new List<WalletTransaction>();
        if (paid.Value is { } credits)
        {
            if (input.IgnorePaidTopUpLimits != true && TopUpAmounts.CheckLimits(wallet, credits) is { } limit) return limit;
            var pending = await db.WalletTransactions.Where(t => t.WalletId == wallet.Id && t.Status == TxStatus.Pending)
                .SumAsync(t => (decimal)t.AmountCents, ct);
            if (TopUpAmounts.CheckRoom(wallet.BalanceCents + pending, credits, null) is { } full) return full;

            var name = string.IsNullOrWhiteSpace(input.Name) ? null : input.Name;
            var purchase = ledger.Purchase(wallet, credits, new TopUpDetails(name, input.Priority, input.Metadata, input.InvoiceRequiresSuccessfulPayment));
            await invoices.BillPurchaseAsync(wallet, wallet.Customer, purchase, ct);
            await db.SaveChangesAsync(ct);
            created.Add(purchase);
        }

        // The grant and the void join this transaction: if either is refused, the purchase is rolled back with it.
        var rest = await JoinedAsync(request, ct);
        if (!rest.IsOk) return rest.Error!;
        created.AddRange(rest.Value!);
        await tx.CommitAsync(ct);
        return created;
    }

    /// <summary>Grants and voids inside the transaction already open on this request's connection.</summary>
    private async Task<Result<List<WalletTransaction>>> JoinedAsync(TopUpRequest request, CancellationToken ct) =>
        (await GrantsAndVoids.RunAsync((NpgsqlConnection)db.Database.GetDbConnection(), ownTransaction: false, [request], clock.GetUtcNow(), ct))[0];
}

/// <summary>Credits in a request → the money they stand for, with Lago's errors for amounts that cannot be.</summary>
public static class TopUpAmounts
{
    /// <summary>Null for absent or zero credits (Lago skips those silently).</summary>
    public static Result<WalletCredit?> Parse(CreditRate rate, string? text, string field, bool roundTrip)
    {
        if (text is null) return (WalletCredit?)null;
        if (!DecimalText.TryParse(text, out var credits) || credits < 0) return LagoError.Validation(field, $"invalid_{field}");
        if (CreditRate.FloorCredits(credits) == 0) return (WalletCredit?)null;
        // Too large for 64-bit minor units; checked first, as the rounding check would overflow on it too.
        if (!rate.TryFromCredits(credits, roundTrip, out var credit)) return LagoError.Validation(field, "invalid_amount");
        if (rate.RoundsToZero(credits)) return LagoError.Validation(field, "amount_rounds_to_zero");
        return credit;
    }

    /// <summary>
    /// Refuses a top-up that would take the balance out of 64-bit minor units, counting purchases still to be paid,
    /// so neither this grant nor any later settlement can overflow (the database would refuse it with a 500).
    /// </summary>
    public static LagoError? CheckRoom(decimal heldAndPendingCents, WalletCredit? paid, WalletCredit? granted)
    {
        var room = long.MaxValue - heldAndPendingCents;
        if (paid is not null && (room -= paid.AmountCents) < 0) return LagoError.Validation("paid_credits", "invalid_amount");
        if (granted is not null && (room -= granted.AmountCents) < 0) return LagoError.Validation("granted_credits", "invalid_amount");
        return null;
    }

    /// <summary>The wallet's paid top-up bounds, in cents.</summary>
    public static LagoError? CheckLimits(Wallet wallet, WalletCredit paid) =>
        paid.AmountCents < wallet.PaidTopUpMinAmountCents ? LagoError.Validation("paid_credits", "amount_below_minimum")
        : paid.AmountCents > wallet.PaidTopUpMaxAmountCents ? LagoError.Validation("paid_credits", "amount_above_maximum")
        : null;
}
