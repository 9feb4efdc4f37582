using Microsoft.EntityFrameworkCore;
using Wallets.Api.Data;
using Wallets.Api.Features.Invoices;
using Wallets.Api.Http;
using Wallets.Domain.Money;

namespace Wallets.Api.Features.WalletTransactions;

/// <summary>
/// `POST /wallet_transactions`: in one transaction and in Lago's order, a paid top-up (pending until its invoice is
/// paid), a free grant (usable at once) and a void (pool-wide, or of one grant). All checks run before any write.
/// </summary>
public sealed class TopUpHandler(WalletsDbContext db, Ledger ledger, CreditInvoices invoices)
{
    public async Task<Result<List<WalletTransaction>>> HandleAsync(WalletTransactionInput input, CancellationToken ct)
    {
        if (new WalletTransactionValidator().Check(input) is { } invalid) return invalid;
        if (!Guid.TryParse(input.WalletId, out var walletId)) return LagoError.Validation("wallet_id", "wallet_not_found");

        await using var tx = await db.BeginOrJoinAsync(ct);
        var wallet = await ledger.LockWalletAsync(walletId, ct);
        if (wallet is null) return LagoError.Validation("wallet_id", "wallet_not_found");
        if (!wallet.IsActive) return LagoError.Validation("wallet_id", "wallet_is_terminated");

        var name = string.IsNullOrWhiteSpace(input.Name) ? null : input.Name;
        var details = new TopUpDetails(name, input.Priority, input.Metadata, input.InvoiceRequiresSuccessfulPayment);
        var plan = await PlanAsync(wallet, input, ct);
        if (!plan.IsOk) return plan.Error!;
        var (paid, granted, voided, target) = plan.Value!;

        var created = new List<WalletTransaction>();
        if (paid is not null)
        {
            var purchase = ledger.Purchase(wallet, paid, details);
            await invoices.BillPurchaseAsync(wallet, wallet.Customer, purchase, ct);
            created.Add(purchase);
        }
        if (granted is not null) created.Add(ledger.Grant(wallet, granted, details));
        if (voided is not null)
        {
            // The void sees this request's grant, as in Lago, so write it first.
            await db.SaveChangesAsync(ct);
            var debit = await ledger.DebitAsync(wallet, TxKind.Voided, voided.AmountCents, voided.Credits, ct, target);
            if (!debit.IsOk) return debit.Error!;
            debit.Value!.Name = name;
            debit.Value.Metadata = input.Metadata ?? [];
            created.Add(debit.Value);
        }

        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return created;
    }

    private sealed record Plan(WalletCredit? Paid, WalletCredit? Granted, WalletCredit? Voided, WalletTransaction? Target);

    /// <summary>Turns credits into amounts and checks them all against the wallet, before anything is written.</summary>
    private async Task<Result<Plan>> PlanAsync(Wallet wallet, WalletTransactionInput input, CancellationToken ct)
    {
        var rate = wallet.Rate;
        var paid = TopUpAmounts.Parse(rate, input.PaidCredits, "paid_credits", roundTrip: true);
        if (!paid.IsOk) return paid.Error!;
        if (paid.Value is not null && input.IgnorePaidTopUpLimits != true && TopUpAmounts.CheckLimits(wallet, paid.Value) is { } limit) return limit;
        var granted = TopUpAmounts.Parse(rate, input.GrantedCredits, "granted_credits", roundTrip: true);
        if (!granted.IsOk) return granted.Error!;
        if (paid.Value is not null || granted.Value is not null)
        {
            var pending = await db.WalletTransactions.Where(t => t.WalletId == wallet.Id && t.Status == TxStatus.Pending)
                .SumAsync(t => (decimal)t.AmountCents, ct);
            if (TopUpAmounts.CheckRoom(wallet.BalanceCents + pending, paid.Value, granted.Value) is { } full) return full;
        }

        WalletTransaction? target = null;
        if (!string.IsNullOrEmpty(input.VoidedTransactionId))
        {
            var targetId = Guid.Parse(input.VoidedTransactionId);
            target = await db.WalletTransactions.FirstOrDefaultAsync(t => t.Id == targetId && t.WalletId == wallet.Id && t.TransactionType == Direction.Inbound, ct);
            if (target is null) return LagoError.Validation("voided_transaction_id", "wallet_transaction_not_found");
            if ((target.RemainingAmountCents ?? 0) == 0) return LagoError.Validation("voided_transaction_id", "no_remaining_amount");
            if (input.VoidedCredits is null)
                return new Plan(paid.Value, granted.Value, rate.FromCents(target.RemainingAmountCents!.Value), target);
        }

        var voided = TopUpAmounts.Parse(rate, input.VoidedCredits, "voided_credits", roundTrip: false);
        if (!voided.IsOk) return voided.Error!;
        // A pool-wide void may take at most what the wallet holds now (before this request's grant, as Lago checks).
        if (target is null && voided.Value is not null && voided.Value.AmountCents > wallet.BalanceCents)
            return LagoError.Validation("voided_credits", "insufficient_credits");
        return new Plan(paid.Value, granted.Value, voided.Value, target);
    }
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
