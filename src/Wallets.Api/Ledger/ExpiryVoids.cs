using Npgsql;
using Wallets.Api.Data;
using Wallets.Domain.Allocation;

namespace Wallets.Api.Ledger;

/// <summary>
/// Per-grant expiry in the ledger. From a grant's `expiration_at` on, what it still holds
/// (<see cref="GrantExpiry.VoidedCents"/>, the one rule) is voided by an outbound `voided` transaction traced to it and
/// settled at that instant. Every unit of work that locks a wallet first writes the expiries due on it ("expire on
/// touch": <see cref="GrantsAndVoids"/>, <see cref="WalletLedger"/>), so no debit after the instant is funded by the
/// grant and every balance the ledger decides on is what may be spent; the grant expiry job writes them for wallets
/// nothing touches. `wallets.next_expiration_at`, read with the wallet, keeps this to nothing for a wallet with nothing due.
/// </summary>
public static class ExpiryVoids
{
    /// <summary>A wallet whose next expiry is due, as read here, with its grants that expired still holding something (maybe none).</summary>
    public sealed record DueWallet(Wallet Wallet, List<InboundGrant> Grants);

    // A grant's remaining is read without what a hold still reserves of it (a hold only reserves grants that outlive it,
    // so that is one past its own expiry that nothing has ended yet): that part is voided once the hold ends.
    // Under the customer lock: the wallets whose next expiry has passed (one primary-key probe each for the others), each
    // with its expired grants still holding something, by the expiring index. None when the grant that set the wallet's
    // next expiry was spent first: then only next_expiration_at moves on.
    private const string DueSql = """
        SELECT w.id, w.organization_id, w.customer_id, w.currency, w.rate_amount, w.invoice_requires_successful_payment, w.balance_cents,
               w.alert_floor_cents, w.alert_ceiling_cents,
               t.id, t.priority, t.transaction_status = 'granted', t.created_at, t.remaining_amount_cents - t.held_cents, t.expiration_at
        FROM wallets w LEFT JOIN wallet_transactions t ON t.wallet_id = w.id AND t.expiration_at <= $2
            AND t.transaction_type = 'inbound' AND t.status = 'settled' AND t.remaining_amount_cents > 0
        WHERE w.id = ANY($1) AND w.next_expiration_at <= $2
        """;

    public static NpgsqlBatchCommand Command(Guid[] walletIds, DateTimeOffset now) => LedgerChanges.Command(DueSql, walletIds, now);

    /// <summary>Reads the result of <see cref="Command"/>.</summary>
    public static async Task<List<DueWallet>> ReadAsync(NpgsqlDataReader reader, CancellationToken ct)
    {
        var due = new Dictionary<Guid, DueWallet>();
        while (await reader.ReadAsync(ct))
        {
            var id = reader.GetGuid(0);
            if (!due.TryGetValue(id, out var wallet))
            {
                due[id] = wallet = new DueWallet(new Wallet
                {
                    Id = id, OrganizationId = reader.GetGuid(1), CustomerId = reader.GetGuid(2), Code = "", Currency = reader.GetString(3),
                    RateAmount = reader.GetDecimal(4), InvoiceRequiresSuccessfulPayment = reader.GetBoolean(5), BalanceCents = reader.GetInt64(6),
                    AlertFloorCents = reader.IsDBNull(7) ? null : reader.GetInt64(7), AlertCeilingCents = reader.IsDBNull(8) ? null : reader.GetInt64(8),
                }, []);
            }
            if (reader.IsDBNull(9)) continue;
            wallet.Grants.Add(new InboundGrant(reader.GetGuid(9), reader.GetInt32(10), reader.GetBoolean(11), reader.GetFieldValue<DateTimeOffset>(12),
                reader.GetInt64(13), reader.GetFieldValue<DateTimeOffset>(14)));
        }
        return [.. due.Values];
    }

    /// <summary>
    /// Writes the voids of the grants expired by <paramref name="now"/> among <paramref name="due"/> (each wallet's
    /// open grants, or at least its expired ones), and has each wallet's next expiry read again. One flush per expiry
    /// instant, so each instant gets its own balance-history row, dated then. <paramref name="debit"/> moves a wallet's
    /// balance (and consumed amount) down by the cents given, in the session and in memory. Returns the voids written.
    /// </summary>
    public static async Task<List<ExpiryVoid>> WriteAsync(
        LedgerSession session, IEnumerable<(Wallet Wallet, IReadOnlyList<InboundGrant> Grants)> due, Action<Wallet, long> debit,
        DateTimeOffset now, CancellationToken ct)
    {
        var rounds = new List<List<(Wallet Wallet, ExpiryVoid Void, bool Last)>>();
        foreach (var (wallet, grants) in due)
        {
            var instants = GrantExpiry.Due(grants, now).GroupBy(v => v.ExpiredAt).ToList();
            // Nothing to void: only its next expiry moves on, with the session's next write.
            if (instants.Count == 0) session.Changes.ExpiriesVoided(wallet.Id);
            for (var i = 0; i < instants.Count; i++)
            {
                if (rounds.Count == i) rounds.Add([]);
                rounds[i].AddRange(instants[i].Select(v => (wallet, v, i == instants.Count - 1)));
            }
        }

        var written = new List<ExpiryVoid>();
        foreach (var round in rounds)
        {
            foreach (var (wallet, expiry, last) in round)
            {
                var voided = WalletLedger.NewTransaction(wallet, Direction.Outbound, TxStatus.Settled, TxKind.Voided,
                    wallet.Rate.FromCents(expiry.Cents), TopUpDetails.None, now);
                // It takes effect at the expiry instant (balance history, ?at=), whenever it is written.
                voided.SettledAt = expiry.ExpiredAt;
                session.Changes.Insert(voided, wallet);
                session.Changes.Take(expiry.InboundId, voided, expiry.Cents);
                debit(wallet, expiry.Cents);
                // With the wallet's last voids: its next expiry is read after all of them.
                if (last) session.Changes.ExpiriesVoided(wallet.Id);
                written.Add(expiry);
            }
            await session.FlushAsync(now, ct);
        }
        return written;
    }

    /// <summary>
    /// The grant expiry job's unit of work: these wallets' due expiries in one transaction of its own, under their
    /// customers' locks (a request or another process that got there first leaves nothing due). Returns the voids written.
    /// </summary>
    public static async Task<int> ExpireWalletsAsync(NpgsqlDataSource dataSource, Guid[] walletIds, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var session = LedgerSession.Begin(connection);
        try
        {
            List<DueWallet> due;
            await using (var batch = session.NewBatch(now))
            {
                batch.BatchCommands.Add(CustomerLock.ForWallets(walletIds));
                batch.BatchCommands.Add(Command(walletIds, now));
                await using var reader = await batch.ExecuteReaderAsync(ct);
                await reader.NextResultAsync(ct); // past the locks
                due = await ReadAsync(reader, ct);
            }
            var written = await WriteAsync(session, due.Select(d => (d.Wallet, (IReadOnlyList<InboundGrant>)d.Grants)),
                (wallet, cents) =>
                {
                    session.Changes.Move(wallet, -cents, cents);
                    wallet.BalanceCents -= cents;
                }, now, ct);
            await session.CommitAsync(now, ct);
            return written.Count;
        }
        catch
        {
            await LedgerSession.RollbackAsync(connection);
            throw;
        }
    }
}
