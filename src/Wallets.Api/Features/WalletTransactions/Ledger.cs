using Microsoft.EntityFrameworkCore;
using Wallets.Api.Data;
using Wallets.Api.Http;
using Wallets.Domain.Allocation;
using Wallets.Domain.Money;

namespace Wallets.Api.Features.WalletTransactions;

/// <summary>
/// The only code that moves credits: grants add to a wallet, debits (voids, invoices, termination) take from its
/// grants in consumption order and record which grant paid what. Callers hold the customer lock (see
/// <see cref="LockWalletAsync"/>) inside one transaction, and the database re-checks every rule at commit.
/// </summary>
public sealed class Ledger(WalletsDbContext db, Tenant tenant, TimeProvider clock)
{
    // The consumption rows written through this ledger in this unit of work, for FundingsOf.
    private readonly List<(WalletTransaction Grant, WalletTransactionConsumption Row)> _written = [];

    /// <summary>Locks the wallet's customer, then reads the wallet fresh, so nothing below works from a stale balance.</summary>
    public async Task<Wallet?> LockWalletAsync(Guid walletId, CancellationToken ct)
    {
        // One round trip finds the wallet's customer and takes its lock (the DbTransactions.LockCustomerAsync key).
        var locked = await db.Database.SqlQuery<int>($"""
            SELECT 1 AS "Value" FROM wallets
            WHERE id = {walletId} AND organization_id = {tenant.OrganizationId}
              AND pg_advisory_xact_lock(hashtextextended(customer_id::text, 0)) IS NOT NULL
            """).AnyAsync(ct);
        if (!locked) return null;
        // Null when the customer is deleted: its wallets are not found, as GET /wallets/{id} answers.
        return await db.Wallets.Include(w => w.Customer).FirstOrDefaultAsync(w => w.Id == walletId, ct);
    }

    /// <summary>A settled inbound grant: usable at once.</summary>
    public WalletTransaction Grant(Wallet wallet, WalletCredit credit, TopUpDetails details)
    {
        var now = clock.GetUtcNow();
        var grant = NewTransaction(wallet, Direction.Inbound, TxStatus.Settled, TxKind.Granted, credit, details, now);
        grant.RemainingAmountCents = credit.AmountCents;
        grant.SettledAt = now;
        wallet.BalanceCents += credit.AmountCents;
        wallet.LastBalanceSyncAt = now;
        wallet.UpdatedAt = now;
        db.WalletTransactions.Add(grant);
        return grant;
    }

    /// <summary>A pending inbound purchase: it holds nothing until its invoice is paid (<see cref="Settle"/>).</summary>
    public WalletTransaction Purchase(Wallet wallet, WalletCredit credit, TopUpDetails details)
    {
        var purchase = NewTransaction(wallet, Direction.Inbound, TxStatus.Pending, TxKind.Purchased, credit, details, clock.GetUtcNow());
        db.WalletTransactions.Add(purchase);
        return purchase;
    }

    /// <summary>Payment arrived: the purchase starts to hold its credits. A no-op unless it is still pending.</summary>
    public bool Settle(WalletTransaction purchase, Wallet wallet)
    {
        if (purchase.Status != TxStatus.Pending) return false;
        var now = clock.GetUtcNow();
        purchase.Status = TxStatus.Settled;
        purchase.SettledAt = now;
        purchase.RemainingAmountCents = purchase.AmountCents;
        purchase.UpdatedAt = now;
        wallet.BalanceCents += purchase.AmountCents;
        wallet.LastBalanceSyncAt = now;
        wallet.UpdatedAt = now;
        return true;
    }

    /// <summary>Payment failed: the purchase will never hold credits. A no-op unless it is still pending.</summary>
    public bool Fail(WalletTransaction purchase)
    {
        if (purchase.Status != TxStatus.Pending) return false;
        purchase.Status = TxStatus.Failed;
        purchase.FailedAt = purchase.UpdatedAt = clock.GetUtcNow();
        return true;
    }

    /// <summary>
    /// Takes <paramref name="amountCents"/> from the wallet's grants (all of them in consumption order, or only
    /// <paramref name="fromGrant"/>), writing one outbound transaction and one consumption row per grant used.
    /// Checks everything before writing anything.
    /// </summary>
    public async Task<Result<WalletTransaction>> DebitAsync(
        Wallet wallet, string kind, long amountCents, decimal credits, CancellationToken ct,
        WalletTransaction? fromGrant = null, Guid? invoiceId = null)
    {
        var grants = fromGrant is not null
            ? [fromGrant]
            : await db.WalletTransactions
                .Where(t => t.WalletId == wallet.Id && t.TransactionType == Direction.Inbound && t.Status == TxStatus.Settled && t.RemainingAmountCents > 0)
                .OrderBy(t => t.Priority).ThenBy(t => t.TransactionStatus != TxKind.Granted).ThenBy(t => t.CreatedAt).ThenBy(t => t.Id)
                .ToListAsync(ct);
        var available = grants.Select(g => new InboundGrant(g.Id, g.Priority, g.TransactionStatus == TxKind.Granted, g.CreatedAt, g.RemainingAmountCents ?? 0)).ToList();
        var plan = fromGrant is not null ? GrantConsumption.ConsumeFrom(available[0], amountCents) : GrantConsumption.Consume(available, amountCents);
        if (!plan.IsSuccess)
            return LagoError.Validation(plan.Error == AllocationErrors.NoRemainingAmount ? "voided_transaction_id" : AllocationErrors.Field, plan.Error!);

        var now = clock.GetUtcNow();
        var debit = NewTransaction(wallet, Direction.Outbound, TxStatus.Settled, kind,
            new WalletCredit(credits, 0, amountCents), TopUpDetails.None, now);
        debit.SettledAt = now;
        debit.InvoiceId = invoiceId;
        db.WalletTransactions.Add(debit);

        var byId = grants.ToDictionary(g => g.Id);
        foreach (var take in plan.Value)
        {
            byId[take.InboundId].RemainingAmountCents -= take.Cents;
            byId[take.InboundId].UpdatedAt = now;
            var row = new WalletTransactionConsumption
            {
                Id = Ids.New(), OrganizationId = wallet.OrganizationId, WalletId = wallet.Id,
                InboundWalletTransactionId = take.InboundId, OutboundWalletTransactionId = debit.Id,
                ConsumedAmountCents = take.Cents, CreatedAt = now,
            };
            db.Consumptions.Add(row);
            _written.Add((byId[take.InboundId], row));
        }

        wallet.BalanceCents -= amountCents;
        wallet.ConsumedAmountCents += amountCents;
        wallet.LastBalanceSyncAt = wallet.LastConsumedCreditAt = wallet.UpdatedAt = now;
        return debit;
    }

    /// <summary>
    /// Gives back what an invoiced debit took when its invoice is voided (Lago's RecreditService): a new settled
    /// granted inbound of the same amount, pointing at the voided invoice; the wallet's consumed amount goes down.
    /// The debit and its consumption rows stay, so the trail still shows what happened.
    /// </summary>
    public WalletTransaction Regrant(Wallet wallet, WalletTransaction debit, Guid voidedInvoiceId)
    {
        var grant = Grant(wallet, wallet.Rate.FromCents(debit.AmountCents), TopUpDetails.None);
        grant.VoidedInvoiceId = voidedInvoiceId;
        wallet.ConsumedAmountCents = Math.Max(0, wallet.ConsumedAmountCents - debit.AmountCents);
        return grant;
    }

    /// <summary>The grants that funded a debit written through this ledger, and how much each gave, in consumption order.</summary>
    public IEnumerable<(WalletTransaction Grant, long Cents)> FundingsOf(WalletTransaction debit) =>
        _written.Where(w => w.Row.OutboundWalletTransactionId == debit.Id).Select(w => (w.Grant, w.Row.ConsumedAmountCents));

    /// <summary>Voids everything the wallet still holds (termination, expiry), traced like any debit. Null when empty.</summary>
    public async Task<WalletTransaction?> VoidRemainingAsync(Wallet wallet, CancellationToken ct)
    {
        if (wallet.BalanceCents == 0) return null;
        var debit = await DebitAsync(wallet, TxKind.Voided, wallet.BalanceCents, wallet.Rate.FromCents(wallet.BalanceCents).Credits, ct);
        return debit.Value ?? throw new InvalidOperationException($"wallet {wallet.Id} balance is not backed by its grants: {debit.Error}");
    }

    internal static WalletTransaction NewTransaction(
        Wallet wallet, string direction, string status, string kind, WalletCredit credit, TopUpDetails details, DateTimeOffset now) => new()
    {
        Id = Ids.New(), OrganizationId = wallet.OrganizationId, CustomerId = wallet.CustomerId, WalletId = wallet.Id,
        TransactionType = direction, Status = status, TransactionStatus = kind, Source = details.Source, AmountCents = credit.AmountCents,
        CreditAmount = credit.Credits, Priority = details.Priority ?? 50, Name = details.Name, Metadata = details.Metadata ?? [],
        InvoiceRequiresSuccessfulPayment = details.InvoiceRequiresSuccessfulPayment ?? wallet.InvoiceRequiresSuccessfulPayment,
        CreatedAt = now, UpdatedAt = now,
    };
}

/// <summary>What a top-up carries besides its amount.</summary>
/// <param name="Source">`manual`, or the trigger of the recurring rule that made the top-up (<see cref="TopUpSource"/>).</param>
public sealed record TopUpDetails(string? Name, int? Priority, List<KeyValue>? Metadata, bool? InvoiceRequiresSuccessfulPayment, string Source = TopUpSource.Manual)
{
    public static readonly TopUpDetails None = new(null, null, null, null);
}
