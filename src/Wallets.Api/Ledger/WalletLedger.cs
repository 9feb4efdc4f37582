using Microsoft.EntityFrameworkCore;
using Npgsql;
using Wallets.Api.Data;
using Wallets.Api.Features.Wallets;
using Wallets.Api.Http;
using Wallets.Domain.Allocation;
using Wallets.Domain.Money;

namespace Wallets.Api.Ledger;

/// <summary>
/// The ledger inside a transaction a handler holds (purchases, payments, invoices, termination, expiry, recurring
/// top-ups): grants add to a wallet, debits take from its grants in consumption order and record which grant paid
/// what. Each change is collected in the request's <see cref="LedgerSession"/> and written by <see cref="SaveAsync"/>,
/// which the handler calls instead of SaveChanges. The wallets and rows handlers hold (EF-tracked) show the new
/// balances, but EF never writes those fields back: the ledger's relative updates are the only writes of them.
/// </summary>
public sealed class WalletLedger(WalletsDbContext db, Tenant tenant, TimeProvider clock, OngoingBalanceChanges changes)
{
    private LedgerSession? _session;
    // What each debit of this unit of work took, from which kind of grant, for FundingsOf.
    private readonly List<(Guid Debit, string GrantKind, long Cents)> _fundings = [];
    // The wallets whose due expiries this unit of work wrote already.
    private readonly HashSet<Guid> _expired = [];

    /// <summary>The session on the handler's transaction (made on first use; there must be one).</summary>
    public LedgerSession Session => _session ??= LedgerSession.Join(db);

    /// <summary>
    /// Locks the wallet's customer, then reads the wallet fresh and writes its due expiries, so nothing below works from
    /// a stale balance or spends expired credits.
    /// </summary>
    public async Task<Wallet?> LockWalletAsync(Guid walletId, CancellationToken ct)
    {
        if (!await db.LockWalletCustomerAsync(walletId, tenant.OrganizationId, ct)) return null;
        // Null when the customer is deleted: its wallets are not found, as GET /wallets/{id} answers.
        var wallet = await db.Wallets.Include(w => w.Customer).FirstOrDefaultAsync(w => w.Id == walletId, ct);
        if (wallet is not null) await ExpireDueAsync([wallet], ct);
        return wallet;
    }

    /// <summary>
    /// Writes the due expiries of wallets read under their customer's lock (<see cref="ExpiryVoids"/>), before anything
    /// decides on their balances. No round trip for wallets whose next expiry has not come.
    /// </summary>
    public async Task ExpireDueAsync(IEnumerable<Wallet> wallets, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var due = wallets.Where(w => w.NextExpirationAt <= now && _expired.Add(w.Id)).ToDictionary(w => w.Id);
        if (due.Count == 0) return;
        List<ExpiryVoids.DueWallet> found;
        await using (var reader = (await Session.FlushAsync(now, ct, ExpiryVoids.Command([.. due.Keys], now)))!)
            found = await ExpiryVoids.ReadAsync(reader, ct);
        await ExpiryVoids.WriteAsync(Session, found.Select(d => (due[d.Wallet.Id], (IReadOnlyList<InboundGrant>)d.Grants)),
            (wallet, cents) => Move(wallet, -cents, cents, now), now, ct);
    }

    /// <summary>Writes the ledger's changes, then the DbContext's (whose rows may name the ledger's, and the reverse: the invoice key is deferred).</summary>
    public async Task SaveAsync(CancellationToken ct)
    {
        if (_session is not null)
        {
            await using var reader = await _session.FlushAsync(clock.GetUtcNow(), ct);
        }
        await db.SaveChangesAsync(ct);
    }

    /// <summary>A settled inbound grant: usable at once.</summary>
    public WalletTransaction Grant(Wallet wallet, WalletCredit credit, TopUpDetails details, Guid? voidedInvoiceId = null)
    {
        var now = clock.GetUtcNow();
        var grant = NewTransaction(wallet, Direction.Inbound, TxStatus.Settled, TxKind.Granted, credit, details, now);
        grant.RemainingAmountCents = credit.AmountCents;
        grant.SettledAt = now;
        grant.VoidedInvoiceId = voidedInvoiceId;
        Session.Changes.Insert(grant, wallet);
        Move(wallet, credit.AmountCents, 0, now);
        return grant;
    }

    /// <summary>A pending inbound purchase: it holds nothing until its invoice is paid (<see cref="Settle"/>).</summary>
    public WalletTransaction Purchase(Wallet wallet, WalletCredit credit, TopUpDetails details)
    {
        var purchase = NewTransaction(wallet, Direction.Inbound, TxStatus.Pending, TxKind.Purchased, credit, details, clock.GetUtcNow());
        Session.Changes.Insert(purchase, wallet);
        return purchase;
    }

    /// <summary>Payment arrived: the purchase starts to hold its credits. A no-op unless it is still pending.</summary>
    public bool Settle(WalletTransaction purchase, Wallet wallet)
    {
        if (purchase.Status != TxStatus.Pending) return false;
        var now = clock.GetUtcNow();
        purchase.Status = TxStatus.Settled;
        purchase.SettledAt = purchase.UpdatedAt = now;
        purchase.RemainingAmountCents = purchase.AmountCents;
        KeepUnwritten(purchase, nameof(WalletTransaction.Status), nameof(WalletTransaction.SettledAt), nameof(WalletTransaction.UpdatedAt),
            nameof(WalletTransaction.RemainingAmountCents));
        Session.Changes.ChangeStatus(purchase, wallet);
        Move(wallet, purchase.AmountCents, 0, now);
        return true;
    }

    /// <summary>
    /// The purchase will never hold credits (its payment failed, or its invoice was voided). A no-op unless it is
    /// still pending. <paramref name="paymentFailed"/> also reports the failed payment.
    /// </summary>
    public bool Fail(WalletTransaction purchase, Wallet wallet, bool paymentFailed)
    {
        if (purchase.Status != TxStatus.Pending) return false;
        purchase.Status = TxStatus.Failed;
        purchase.FailedAt = purchase.UpdatedAt = clock.GetUtcNow();
        KeepUnwritten(purchase, nameof(WalletTransaction.Status), nameof(WalletTransaction.FailedAt), nameof(WalletTransaction.UpdatedAt));
        // Lago reports the failed payment first; its job then marks the purchase failed.
        if (paymentFailed) Session.Changes.PaymentFailed(purchase, wallet);
        Session.Changes.ChangeStatus(purchase, wallet);
        return true;
    }

    // What each grant holds beyond what holds reserve: all a debit may take.
    private const string GrantsSql = """
        SELECT id, priority, transaction_status = 'granted', created_at, remaining_amount_cents - held_cents, expiration_at, transaction_status FROM wallet_transactions
        WHERE wallet_id = $1 AND transaction_type = 'inbound' AND status = 'settled' AND remaining_amount_cents > held_cents
        """;

    /// <summary>
    /// The wallet's open grants that may be spent now, read fresh; any of them expired is voided first (a purchase that
    /// settled after its expiry, in this unit of work), so the wallet's balance is what they hold.
    /// </summary>
    private async Task<List<(InboundGrant Grant, string Kind)>> SpendableGrantsAsync(Wallet wallet, DateTimeOffset now, CancellationToken ct)
    {
        var grants = new List<(InboundGrant Grant, string Kind)>();
        // The changes so far are written first, in the same round trip, so the read sees them.
        await using (var reader = (await Session.FlushAsync(now, ct, LedgerChanges.Command(GrantsSql, wallet.Id)))!)
        {
            while (await reader.ReadAsync(ct))
                grants.Add((new InboundGrant(reader.GetGuid(0), reader.GetInt32(1), reader.GetBoolean(2), reader.GetFieldValue<DateTimeOffset>(3),
                    reader.GetInt64(4), reader.IsDBNull(5) ? null : reader.GetFieldValue<DateTimeOffset>(5)), reader.GetString(6)));
        }
        if (grants.Any(g => GrantExpiry.IsExpired(g.Grant, now)))
        {
            await ExpiryVoids.WriteAsync(Session, [(wallet, grants.ConvertAll(g => g.Grant))], (w, cents) => Move(w, -cents, cents, now), now, ct);
            grants.RemoveAll(g => GrantExpiry.IsExpired(g.Grant, now));
        }
        return grants;
    }

    /// <summary>
    /// Takes <paramref name="amountCents"/> from the wallet's grants in consumption order, writing one outbound
    /// transaction and one consumption row per grant used. Checks everything before changing anything.
    /// </summary>
    public async Task<Result<WalletTransaction>> DebitAsync(
        Wallet wallet, string kind, long amountCents, decimal credits, CancellationToken ct, Guid? invoiceId = null)
    {
        var now = clock.GetUtcNow();
        var grants = await SpendableGrantsAsync(wallet, now, ct);
        return Debit(wallet, grants, kind, amountCents, credits, now, invoiceId);
    }

    private Result<WalletTransaction> Debit(
        Wallet wallet, List<(InboundGrant Grant, string Kind)> grants, string kind, long amountCents, decimal credits, DateTimeOffset now, Guid? invoiceId)
    {
        var plan = GrantConsumption.Consume(grants.ConvertAll(g => g.Grant), amountCents, now);
        if (!plan.IsSuccess) return LagoError.Validation(AllocationErrors.Field, plan.Error!);

        var debit = NewTransaction(wallet, Direction.Outbound, TxStatus.Settled, kind, new WalletCredit(credits, 0, amountCents), TopUpDetails.None, now);
        debit.SettledAt = now;
        debit.InvoiceId = invoiceId;
        Session.Changes.Insert(debit, wallet);
        var kinds = grants.ToDictionary(g => g.Grant.Id, g => g.Kind);
        foreach (var take in plan.Value!)
        {
            Session.Changes.Take(take.InboundId, debit, take.Cents);
            _fundings.Add((debit.Id, kinds[take.InboundId], take.Cents));
        }
        Move(wallet, -amountCents, amountCents, now);
        return debit;
    }

    /// <summary>
    /// Gives back what an invoiced debit took when its invoice is voided (Lago's RecreditService): a new settled
    /// granted inbound of the same amount, pointing at the voided invoice; the wallet's consumed amount goes down.
    /// The debit and its consumption rows stay, so the trail still shows what happened.
    /// </summary>
    public WalletTransaction Regrant(Wallet wallet, WalletTransaction debit, Guid voidedInvoiceId)
    {
        var grant = Grant(wallet, wallet.Rate.FromCents(debit.AmountCents), TopUpDetails.None, voidedInvoiceId);
        var consumed = Math.Min(wallet.ConsumedAmountCents, debit.AmountCents);
        Session.Changes.Move(wallet, 0, -consumed);
        wallet.ConsumedAmountCents -= consumed;
        KeepUnwritten(wallet, nameof(Wallet.ConsumedAmountCents));
        return grant;
    }

    /// <summary>The kind of each grant that funded a debit of this unit of work, and how much it gave, in consumption order.</summary>
    public IEnumerable<(string GrantKind, long Cents)> FundingsOf(WalletTransaction debit) =>
        _fundings.Where(f => f.Debit == debit.Id).Select(f => (f.GrantKind, f.Cents));

    /// <summary>
    /// Ends the wallets' holds past their expiry (as `expired`), so what is read next of their balances counts only
    /// live holds: the expiry job may not have come yet.
    /// </summary>
    public Task ExpireDueHoldsAsync(IReadOnlyList<Wallet> wallets, CancellationToken ct) =>
        EndHoldsAsync(wallets, HoldRows.Due(wallets.Select(w => w.Id).ToArray(), clock.GetUtcNow()), ct);

    /// <summary>Releases every active hold of the wallet (termination); those past their expiry end as `expired`.</summary>
    private Task ReleaseHoldsAsync(Wallet wallet, CancellationToken ct) =>
        EndHoldsAsync([wallet], LedgerChanges.Command(HoldRows.ActiveSql, wallet.Id), ct);

    private async Task EndHoldsAsync(IReadOnlyList<Wallet> wallets, NpgsqlBatchCommand read, CancellationToken ct)
    {
        if (wallets.Count == 0) return;
        var now = clock.GetUtcNow();
        List<HeldHold> holds;
        await using (var reader = (await Session.FlushAsync(now, ct, read))!) holds = await HoldRows.ReadAsync(reader, ct);
        foreach (var held in holds)
        {
            if (held.Hold.IsDueAt(now)) held.Expire(Session.Changes, now);
            else
            {
                held.Hold.Status = HoldStatus.Released;
                held.Hold.ReleasedAt = held.Hold.UpdatedAt = now;
                Session.Changes.End(held.Hold, held.Reservations);
            }
            var wallet = wallets.First(w => w.Id == held.Hold.WalletId);
            wallet.HeldCents -= held.Hold.AmountCents;
            KeepUnwritten(wallet, nameof(Wallet.HeldCents));
        }
    }

    /// <summary>
    /// Voids everything the wallet still holds (termination, expiry), traced like any debit, after releasing its holds;
    /// grants expired meanwhile are voided by their own expiry first. Null when empty.
    /// </summary>
    public async Task<WalletTransaction?> VoidRemainingAsync(Wallet wallet, CancellationToken ct)
    {
        await ReleaseHoldsAsync(wallet, ct);
        if (wallet.BalanceCents == 0) return null;
        var now = clock.GetUtcNow();
        var grants = await SpendableGrantsAsync(wallet, now, ct);
        if (wallet.BalanceCents == 0) return null;
        var debit = Debit(wallet, grants, TxKind.Voided, wallet.BalanceCents, wallet.Rate.FromCents(wallet.BalanceCents).Credits, now, null);
        return debit.Value ?? throw new InvalidOperationException($"wallet {wallet.Id} balance is not backed by its grants: {debit.Error}");
    }

    /// <summary>The wallet's balance and consumed amount move in the session, and in memory for the handler's answer.</summary>
    private void Move(Wallet wallet, long balanceCents, long consumedCents, DateTimeOffset now)
    {
        Session.Changes.Move(wallet, balanceCents, consumedCents);
        changes.MarkOnCommit(db, wallet.OrganizationId, wallet.CustomerId);
        wallet.BalanceCents += balanceCents;
        wallet.ConsumedAmountCents += consumedCents;
        wallet.LastBalanceSyncAt = wallet.UpdatedAt = now;
        if (consumedCents > 0) wallet.LastConsumedCreditAt = now;
        KeepUnwritten(wallet, nameof(Wallet.BalanceCents), nameof(Wallet.ConsumedAmountCents), nameof(Wallet.LastBalanceSyncAt),
            nameof(Wallet.LastConsumedCreditAt), nameof(Wallet.UpdatedAt));
    }

    /// <summary>
    /// An entity EF tracks keeps the ledger's values in memory, but as if read so: SaveChanges must not write them back
    /// (a later change of the same row by the ledger would otherwise be overwritten by a stale absolute value).
    /// </summary>
    private void KeepUnwritten(object entity, params string[] properties)
    {
        var entry = db.Entry(entity);
        if (entry.State == EntityState.Detached) return;
        if (entry.State == EntityState.Added) throw new InvalidOperationException("The ledger changes stored rows: save the new wallet first.");
        foreach (var name in properties)
        {
            var property = entry.Property(name);
            property.OriginalValue = property.CurrentValue;
            property.IsModified = false;
        }
    }

    internal static WalletTransaction NewTransaction(
        Wallet wallet, string direction, string status, string kind, WalletCredit credit, TopUpDetails details, DateTimeOffset now) => new()
    {
        Id = Ids.New(), OrganizationId = wallet.OrganizationId, CustomerId = wallet.CustomerId, WalletId = wallet.Id, Wallet = wallet,
        TransactionType = direction, Status = status, TransactionStatus = kind, Source = details.Source, AmountCents = credit.AmountCents,
        CreditAmount = credit.Credits, Priority = details.Priority ?? 50, Name = details.Name, Metadata = details.Metadata ?? [],
        InvoiceRequiresSuccessfulPayment = details.InvoiceRequiresSuccessfulPayment ?? wallet.InvoiceRequiresSuccessfulPayment,
        ExpirationAt = direction == Direction.Inbound ? details.ExpirationAt : null, CreatedAt = now, UpdatedAt = now,
    };
}

/// <summary>What a top-up carries besides its amount.</summary>
/// <param name="Source">`manual`, or the trigger of the recurring rule that made the top-up (<see cref="TopUpSource"/>).</param>
/// <param name="ExpirationAt">When the top-up's remaining credits expire (null: never).</param>
public sealed record TopUpDetails(
    string? Name, int? Priority, List<KeyValue>? Metadata, bool? InvoiceRequiresSuccessfulPayment, string Source = TopUpSource.Manual,
    DateTimeOffset? ExpirationAt = null)
{
    public static readonly TopUpDetails None = new(null, null, null, null);
}
