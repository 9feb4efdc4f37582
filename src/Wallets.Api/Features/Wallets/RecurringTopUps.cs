using Microsoft.EntityFrameworkCore;
using Wallets.Api.Data;
using Wallets.Api.Features.Invoices;
using Wallets.Api.Features.Subscriptions;
using Wallets.Api.Ledger;
using Wallets.Domain.Money;
using Wallets.Domain.TopUps;

namespace Wallets.Api.Features.Wallets;

/// <summary>
/// Tops a wallet up by its active recurring rule (behavior.md §5.5): a threshold rule when the real-time ongoing
/// balance is at or below its threshold, an interval rule on its anniversary. Everything is decided again under the
/// customer's lock, in one transaction with the top-up, so two processes checking the same wallet at once top it up
/// once. Paid credits become a purchase awaiting payment with its credit invoice, granted credits are usable at once;
/// both carry the rule's name, metadata and payment requirement, and its trigger as `source`.
/// </summary>
public sealed class RecurringTopUps(WalletsDbContext db, WalletLedger ledger, CreditInvoices invoices, OngoingBalances ongoing, TimeProvider clock, ILogger<RecurringTopUps> logger)
{
    /// <summary>Lago backs off paid threshold top-ups for an hour after one failed, until a purchase settles.</summary>
    private static readonly TimeSpan DeclineBackoff = TimeSpan.FromHours(1);

    /// <summary>Runs the wallet's active rule of that trigger if it is due; returns the transactions made (none when not due).</summary>
    public async Task<IReadOnlyList<WalletTransaction>> RunAsync(Guid walletId, string trigger, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var wallet = await ledger.LockWalletAsync(walletId, ct);
        if (wallet is not { IsActive: true }) return [];
        var now = clock.GetUtcNow();
        var rule = await db.RecurringTransactionRules.FirstOrDefaultAsync(r => r.WalletId == walletId && r.Status == WalletStatus.Active
            && r.Trigger == trigger && (r.ExpirationAt == null || r.ExpirationAt > now), ct);
        if (rule is null) return [];

        var state = await StateAsync(wallet, ct);
        var terms = new TopUpRule(rule.PaidCredits, rule.GrantedCredits, rule.ThresholdCredits, rule.TargetOngoingBalance, rule.GrantsTargetTopUp == true);
        var ignoreLimits = rule.IsTarget || rule.IgnorePaidTopUpLimits;
        TopUpAmount amount;
        if (trigger == RuleTrigger.Threshold)
        {
            if (!RuleTopUps.IsBelowThreshold(terms, state)) return [];
            amount = RuleTopUps.OnThreshold(terms, state, ignoreLimits);
            // Lago then grants without buying; rounds here come every few seconds, not every few minutes, so a grant alone
            // would repeat each round until the hour is over. Nothing is topped up while backing off.
            if (amount.Paid > 0 && await BackingOffAsync(wallet.Id, now, ct)) return [];
        }
        else
        {
            if (!await IsDueAsync(rule, wallet, now, ct)) return [];
            amount = RuleTopUps.OnInterval(terms, state);
        }
        if (amount.IsNone) return [];

        var created = await TopUpAsync(wallet, rule, amount, ignoreLimits, state, ct);
        if (created.Count == 0) return [];
        await ledger.SaveAsync(ct);
        await tx.CommitAsync(ct);
        if (trigger == RuleTrigger.Threshold) await WarnOfBurstAsync(wallet.Id, now, ct);
        return created;
    }

    /// <summary>As Lago alerts: more than three automatic top-ups within ten minutes (usage outruns the rule's amounts).</summary>
    private async Task WarnOfBurstAsync(Guid walletId, DateTimeOffset now, CancellationToken ct)
    {
        var since = now - TimeSpan.FromMinutes(10);
        var recent = await db.WalletTransactions.CountAsync(t => t.WalletId == walletId && t.Source == TopUpSource.Threshold
            && t.TransactionType == Direction.Inbound && t.CreatedAt > since, ct);
        if (recent > 3) logger.LogWarning("Wallet {Wallet} had {Count} threshold top-ups in 10 minutes", walletId, recent);
    }

    /// <summary>The wallet's ongoing balance (real time, as reads show it), its pending purchases and its limits, in credits.</summary>
    private async Task<TopUpWallet> StateAsync(Wallet wallet, CancellationToken ct)
    {
        var rate = wallet.Rate;
        var usage = (await ongoing.UsageOfAsync([wallet], db, ct)).GetValueOrDefault(wallet.Id);
        var pending = await db.WalletTransactions.Where(t => t.WalletId == wallet.Id && t.Status == TxStatus.Pending).SumAsync(t => t.CreditAmount, ct);
        return new TopUpWallet(rate.SignedCredits(wallet.AvailableCents - usage), pending,
            wallet.PaidTopUpMinAmountCents is { } min ? rate.FromCents(min).Credits : null,
            wallet.PaidTopUpMaxAmountCents is { } max ? rate.FromCents(max).Credits : null);
    }

    /// <summary>The interval rule is due today (<see cref="TopUpSchedule.IsDue"/>), given the wallet's last interval top-up.</summary>
    private async Task<bool> IsDueAsync(RecurringTransactionRule rule, Wallet wallet, DateTimeOffset now, CancellationToken ct)
    {
        var last = await db.WalletTransactions.Where(t => t.WalletId == wallet.Id && t.Source == TopUpSource.Interval && t.TransactionType == Direction.Inbound)
            .MaxAsync(t => (DateTimeOffset?)t.CreatedAt, ct);
        return TopUpSchedule.IsDue(rule.Interval!, rule.StartedAt, wallet.CreatedAt, last, now, SubscriptionViews.ZoneOf(wallet.Customer));
    }

    /// <summary>A paid threshold top-up failed within the hour, and no purchase has settled since.</summary>
    private async Task<bool> BackingOffAsync(Guid walletId, DateTimeOffset now, CancellationToken ct)
    {
        var since = now - DeclineBackoff;
        var failed = await db.WalletTransactions.Where(t => t.WalletId == walletId && t.Source == TopUpSource.Threshold
                && t.TransactionStatus == TxKind.Purchased && t.Status == TxStatus.Failed && t.FailedAt > since)
            .MaxAsync(t => t.FailedAt, ct);
        return failed is not null && !await db.WalletTransactions.AnyAsync(t => t.WalletId == walletId
            && t.TransactionStatus == TxKind.Purchased && t.Status == TxStatus.Settled && t.SettledAt > failed, ct);
    }

    private async Task<List<WalletTransaction>> TopUpAsync(Wallet wallet, RecurringTransactionRule rule, TopUpAmount amount, bool ignoreLimits,
        TopUpWallet state, CancellationToken ct)
    {
        var rate = wallet.Rate;
        if (!TryCredit(rate, amount.Paid, out var paid) || !TryCredit(rate, amount.Granted, out var granted))
        {
            logger.LogWarning("Recurring rule {Rule} of wallet {Wallet}: {Paid} paid / {Granted} granted credits do not fit in minor units; no top-up",
                rule.Id, wallet.Id, amount.Paid, amount.Granted);
            return [];
        }
        // Lago's job fails as a whole on a paid amount outside the wallet's limits.
        if (paid is not null && !ignoreLimits && TopUpAmounts.CheckLimits(wallet, paid) is not null)
        {
            logger.LogWarning("Recurring rule {Rule} of wallet {Wallet}: {Paid} paid credits are outside the wallet's paid top-up limits; no top-up",
                rule.Id, wallet.Id, paid.Credits);
            return [];
        }
        var pendingCents = rate.FromCredits(state.PendingCredits, roundTrip: false).AmountCents;
        if (TopUpAmounts.CheckRoom(wallet.BalanceCents + pendingCents, paid, granted) is not null)
        {
            logger.LogWarning("Recurring rule {Rule} of wallet {Wallet}: the top-up would overflow the balance; no top-up", rule.Id, wallet.Id);
            return [];
        }

        var details = new TopUpDetails(rule.TransactionName, null, rule.TransactionMetadata, rule.InvoiceRequiresSuccessfulPayment, rule.Trigger,
            rule.TransactionExpirationDays is { } days ? clock.GetUtcNow().AddDays(days) : null);
        var created = new List<WalletTransaction>();
        if (paid is not null)
        {
            var purchase = ledger.Purchase(wallet, paid, details);
            await invoices.BillPurchaseAsync(wallet, wallet.Customer, purchase, ct);
            created.Add(purchase);
        }
        if (granted is not null) created.Add(ledger.Grant(wallet, granted, details));
        return created;
    }

    /// <summary>Credits as money (null for none, or too little to be worth one minor unit); false when too large.</summary>
    private static bool TryCredit(CreditRate rate, decimal credits, out WalletCredit? credit)
    {
        credit = null;
        if (CreditRate.FloorCredits(credits) <= 0) return true;
        if (!rate.TryFromCredits(credits, roundTrip: true, out var converted)) return false;
        if (converted.AmountCents > 0) credit = converted;
        return true;
    }
}
