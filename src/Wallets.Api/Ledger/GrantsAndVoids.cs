using Npgsql;
using Wallets.Api.Data;
using Wallets.Api.Http;
using Wallets.Domain.Allocation;
using Wallets.Domain.Money;

namespace Wallets.Api.Ledger;

/// <summary>One grant and/or void of `POST /wallet_transactions`, as sent (checked by its validator already).</summary>
/// <param name="ExpirationAt">When the grant's remaining credits expire (null: never).</param>
public sealed record GrantOrVoid(
    Guid OrganizationId, Guid WalletId, string? GrantedCredits, string? VoidedCredits, Guid? VoidedTransactionId,
    string? Name, int? Priority, List<KeyValue>? Metadata, bool? InvoiceRequiresSuccessfulPayment, DateTimeOffset? ExpirationAt = null);

/// <summary>
/// The ledger's hot path: the grants and voids of any number of <see cref="GrantOrVoid"/> requests in two round trips
/// of prepared SQL, whatever their number. The first takes every customer's lock (<see cref="CustomerLock"/>) and reads
/// the wallets, their grants (what no hold reserves of each), their holds past their expiry (ended first, as `expired`)
/// and the organizations' webhook endpoints; each request is then checked and split over
/// grants in memory, in order, by the domain's consumption engine, each seeing the ones before it; the second round
/// trip writes every row (<see cref="LedgerChanges"/>) with its webhooks. A refused request writes nothing (no row, no
/// webhook) and does not affect the others. Expiries due on the wallets read are written first
/// (<see cref="ExpiryVoids"/>; round trips more only when some are due: their wallets' next expiry is read with them).
/// </summary>
public static class GrantsAndVoids
{
    /// <summary>
    /// Plans the requests in the session (after writing its changes so far); the caller then commits it (a group
    /// commit) or saves it (a handler's transaction).
    /// </summary>
    public static async Task<Result<List<WalletTransaction>>[]> PlanAsync(
        LedgerSession session, IReadOnlyList<GrantOrVoid> requests, DateTimeOffset now, CancellationToken ct)
    {
        var state = await ReadAsync(session, requests, now, ct);
        if (state.Due.Count > 0) await ExpireAsync(session, state, now, ct);
        return requests.Select(r => Plan(state, session.Changes, r, now)).ToArray();
    }

    /// <summary>The expiries due on the wallets read, before any request: the requests then see what may be spent now.</summary>
    private static async Task ExpireAsync(LedgerSession session, State state, DateTimeOffset now, CancellationToken ct)
    {
        List<ExpiryVoids.DueWallet> due;
        await using (var reader = (await session.FlushAsync(now, ct, ExpiryVoids.Command([.. state.Due], now)))!)
            due = await ExpiryVoids.ReadAsync(reader, ct);
        var wallets = due.Select(d => (state.Wallets[d.Wallet.Id].Wallet, (IReadOnlyList<InboundGrant>)d.Grants));
        var voids = await ExpiryVoids.WriteAsync(session, wallets, (wallet, cents) =>
        {
            session.Changes.Move(wallet, -cents, cents);
            wallet.BalanceCents -= cents;
        }, now, ct);
        foreach (var expiry in voids)
            if (state.Grants.TryGetValue(expiry.InboundId, out var grant)) grant.Remaining -= expiry.Cents;
    }

    private sealed class WalletState(Wallet wallet, decimal pendingCents)
    {
        public Wallet Wallet { get; } = wallet;
        public decimal PendingCents { get; } = pendingCents;
        /// <summary>Its settled grants (read when a request voids from the whole wallet), and those of this batch.</summary>
        public List<GrantState> Grants { get; } = [];
    }

    private sealed class GrantState(Guid id, Guid walletId, int priority, bool granted, DateTimeOffset createdAt, long remaining, DateTimeOffset? expirationAt)
    {
        public Guid Id { get; } = id;
        public Guid WalletId { get; } = walletId;
        /// <summary>What it holds that no hold reserves: all a void may take.</summary>
        public long Remaining { get; set; } = remaining;
        public InboundGrant Candidate => new(Id, priority, granted, createdAt, Remaining, expirationAt);
    }

    private sealed class State
    {
        public Dictionary<Guid, WalletState> Wallets { get; } = [];
        /// <summary>The grants of <see cref="WalletState.Grants"/> and the grants voids name, by id.</summary>
        public Dictionary<Guid, GrantState> Grants { get; } = [];
        /// <summary>The wallets read whose next expiry has come.</summary>
        public List<Guid> Due { get; } = [];
    }

    // Statements of their own, after the locks, so they read what the previous holders of the locks committed.
    // A deleted customer's wallets are not found, as every other route answers.
    private const string WalletsSql = """
        SELECT id, organization_id, customer_id, status, currency, rate_amount, balance_cents, invoice_requires_successful_payment,
               (SELECT COALESCE(sum(p.amount_cents), 0) FROM wallet_transactions p WHERE p.wallet_id = w.id AND p.status = 'pending'),
               alert_floor_cents, alert_ceiling_cents, next_expiration_at <= $2, held_cents
        FROM wallets w WHERE id = ANY($1)
          AND EXISTS (SELECT 1 FROM customers c WHERE c.id = w.customer_id AND c.deleted_at IS NULL)
        """;

    // Held credits are not there for a void; a hold past its expiry gives them back below.
    private const string GrantsSql = """
        SELECT id, wallet_id, priority, transaction_status = 'granted', created_at, COALESCE(remaining_amount_cents - held_cents, 0), expiration_at, false
        FROM wallet_transactions
        WHERE wallet_id = ANY($1) AND transaction_type = 'inbound' AND status = 'settled' AND remaining_amount_cents > 0
        UNION ALL
        SELECT id, wallet_id, priority, transaction_status = 'granted', created_at, COALESCE(remaining_amount_cents - held_cents, 0), expiration_at, true
        FROM wallet_transactions WHERE id = ANY($2) AND transaction_type = 'inbound'
        """;

    private static async Task<State> ReadAsync(LedgerSession session, IReadOnlyList<GrantOrVoid> requests, DateTimeOffset now, CancellationToken ct)
    {
        var walletIds = requests.Select(r => r.WalletId).Distinct().ToArray();
        var poolVoids = requests.Where(r => r.VoidedCredits is not null && r.VoidedTransactionId is null).Select(r => r.WalletId).Distinct().ToArray();
        var targets = requests.Where(r => r.VoidedTransactionId is not null).Select(r => r.VoidedTransactionId!.Value).Distinct().ToArray();
        var organizations = requests.Select(r => r.OrganizationId).Distinct().ToArray();

        await using var batch = session.NewBatch(now);
        batch.BatchCommands.Add(CustomerLock.ForWallets(walletIds));
        batch.BatchCommands.Add(LedgerChanges.Command(WalletsSql, walletIds, now));
        batch.BatchCommands.Add(LedgerChanges.Command(GrantsSql, poolVoids, targets));
        batch.BatchCommands.Add(HoldRows.Due(walletIds, now));
        batch.BatchCommands.Add(WebhookSubscriptions.Command(organizations));
        await using var reader = await batch.ExecuteReaderAsync(ct);

        var state = new State();
        await reader.NextResultAsync(ct); // past the locks
        while (await reader.ReadAsync(ct))
        {
            var wallet = new Wallet
            {
                Id = reader.GetGuid(0), OrganizationId = reader.GetGuid(1), CustomerId = reader.GetGuid(2), Status = reader.GetString(3),
                Code = "", Currency = reader.GetString(4), RateAmount = reader.GetDecimal(5), BalanceCents = reader.GetInt64(6),
                InvoiceRequiresSuccessfulPayment = reader.GetBoolean(7), AlertFloorCents = reader.IsDBNull(9) ? null : reader.GetInt64(9),
                AlertCeilingCents = reader.IsDBNull(10) ? null : reader.GetInt64(10), HeldCents = reader.GetInt64(12),
            };
            state.Wallets[wallet.Id] = new WalletState(wallet, reader.GetDecimal(8));
            if (!reader.IsDBNull(11) && reader.GetBoolean(11)) state.Due.Add(wallet.Id);
        }
        await reader.NextResultAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var grant = new GrantState(reader.GetGuid(0), reader.GetGuid(1), reader.GetInt32(2), reader.GetBoolean(3),
                reader.GetFieldValue<DateTimeOffset>(4), reader.GetInt64(5), reader.IsDBNull(6) ? null : reader.GetFieldValue<DateTimeOffset>(6));
            if (!state.Grants.TryAdd(grant.Id, grant)) continue;
            if (!reader.GetBoolean(7) && state.Wallets.TryGetValue(grant.WalletId, out var ws)) ws.Grants.Add(grant);
        }
        await reader.NextResultAsync(ct);
        var due = await HoldRows.ReadAsync(reader, ct);
        await reader.NextResultAsync(ct);
        await session.Subscriptions.ReadAsync(reader, organizations, ct);
        foreach (var held in due.Where(h => state.Wallets.ContainsKey(h.Hold.WalletId)))
        {
            held.Expire(session.Changes, now);
            state.Wallets[held.Hold.WalletId].Wallet.HeldCents -= held.Hold.AmountCents;
            foreach (var r in held.Reservations)
                if (state.Grants.TryGetValue(r.GrantId, out var grant)) grant.Remaining += r.Cents;
        }
        return state;
    }

    /// <summary>Lago's checks in Lago's order, all before anything is changed; then the request's rows.</summary>
    private static Result<List<WalletTransaction>> Plan(State state, LedgerChanges changes, GrantOrVoid request, DateTimeOffset now)
    {
        if (!state.Wallets.TryGetValue(request.WalletId, out var ws) || ws.Wallet.OrganizationId != request.OrganizationId)
            return LagoError.Validation("wallet_id", "wallet_not_found");
        var wallet = ws.Wallet;
        if (!wallet.IsActive) return LagoError.Validation("wallet_id", "wallet_is_terminated");
        var rate = wallet.Rate;
        var granted = TopUpAmounts.Parse(rate, request.GrantedCredits, "granted_credits", roundTrip: true);
        if (!granted.IsOk) return granted.Error!;
        if (granted.Value is not null && TopUpAmounts.CheckRoom(wallet.BalanceCents + ws.PendingCents, null, granted.Value) is { } full) return full;

        GrantState? target = null;
        if (request.VoidedTransactionId is { } targetId)
        {
            if (!state.Grants.TryGetValue(targetId, out target) || target.WalletId != wallet.Id)
                return LagoError.Validation("voided_transaction_id", "wallet_transaction_not_found");
            if (target.Remaining == 0) return LagoError.Validation("voided_transaction_id", "no_remaining_amount");
        }
        WalletCredit? voided;
        if (target is not null && request.VoidedCredits is null) voided = rate.FromCents(target.Remaining);
        else
        {
            var parsed = TopUpAmounts.Parse(rate, request.VoidedCredits, "voided_credits", roundTrip: false);
            if (!parsed.IsOk) return parsed.Error!;
            voided = parsed.Value;
        }
        // A pool-wide void may take at most what the wallet holds now and no hold reserves (before this request's grant, as Lago checks).
        if (target is null && voided is not null && voided.AmountCents > wallet.AvailableCents)
            return LagoError.Validation("voided_credits", "insufficient_credits");

        var name = string.IsNullOrWhiteSpace(request.Name) ? null : request.Name;
        WalletTransaction? grant = null;
        GrantState? newGrant = null;
        if (granted.Value is { } credit)
        {
            grant = WalletLedger.NewTransaction(wallet, Direction.Inbound, TxStatus.Settled, TxKind.Granted, credit,
                new TopUpDetails(name, request.Priority, request.Metadata, request.InvoiceRequiresSuccessfulPayment, ExpirationAt: request.ExpirationAt), now);
            grant.RemainingAmountCents = credit.AmountCents;
            grant.SettledAt = now;
            newGrant = new GrantState(grant.Id, wallet.Id, grant.Priority, true, now, credit.AmountCents, request.ExpirationAt);
        }

        IReadOnlyList<Consumption> takes = [];
        if (voided is not null)
        {
            // The void sees this request's grant, as in Lago.
            var split = target is not null ? GrantConsumption.ConsumeFrom(target.Candidate, voided.AmountCents, now)
                : GrantConsumption.Consume(ws.Grants.Append(newGrant).OfType<GrantState>().Where(g => g.Remaining > 0)
                    .Select(g => g.Candidate).ToList(), voided.AmountCents, now);
            if (!split.IsSuccess)
                return LagoError.Validation(split.Error == AllocationErrors.NoRemainingAmount ? "voided_transaction_id" : AllocationErrors.Field, split.Error!);
            takes = split.Value!;
        }

        // Accepted: from here on the request changes the batch's state and its writes.
        var created = new List<WalletTransaction>();
        if (grant is not null)
        {
            state.Grants[grant.Id] = newGrant!;
            ws.Grants.Add(newGrant!);
            changes.Insert(grant, wallet);
            changes.Move(wallet, grant.AmountCents, 0);
            wallet.BalanceCents += grant.AmountCents;
            created.Add(grant);
        }
        if (voided is not null)
        {
            var debit = WalletLedger.NewTransaction(wallet, Direction.Outbound, TxStatus.Settled, TxKind.Voided, voided, TopUpDetails.None, now);
            debit.SettledAt = now;
            debit.Name = name;
            debit.Metadata = request.Metadata ?? [];
            changes.Insert(debit, wallet);
            foreach (var take in takes)
            {
                state.Grants[take.InboundId].Remaining -= take.Cents;
                if (take.InboundId == grant?.Id) grant.RemainingAmountCents -= take.Cents;
                changes.Take(take.InboundId, debit, take.Cents);
            }
            changes.Move(wallet, -voided.AmountCents, voided.AmountCents);
            wallet.BalanceCents -= voided.AmountCents;
            created.Add(debit);
        }
        return created;
    }
}
