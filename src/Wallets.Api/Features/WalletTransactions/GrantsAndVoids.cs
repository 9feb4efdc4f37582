using Npgsql;
using NpgsqlTypes;
using Wallets.Api.Data;
using Wallets.Api.Http;
using Wallets.Domain.Allocation;
using Wallets.Domain.Money;

namespace Wallets.Api.Features.WalletTransactions;

/// <summary>One grant and/or void of `POST /wallet_transactions`, as sent (checked by its validator already).</summary>
public sealed record TopUpRequest(Guid OrganizationId, Guid WalletId, WalletTransactionInput Input);

/// <summary>
/// The ledger's hot path: the grants and voids of any number of <see cref="TopUpRequest"/>s in two round trips of
/// prepared SQL, whatever their number. The first takes every customer's lock (in one global order, so two batches
/// never deadlock) and reads the wallets and their grants; each request is then checked and split over grants in
/// memory, in order, by the domain's consumption engine, each seeing the ones before it; the second round trip writes
/// every row and commits. A refused request writes nothing and does not affect the others. The rows are the
/// <see cref="Ledger"/>'s, and the database re-checks every ledger rule at commit.
/// </summary>
public static class GrantsAndVoids
{
    /// <param name="ownTransaction">Begin and commit here; otherwise join the connection's open transaction.</param>
    public static async Task<Result<List<WalletTransaction>>[]> RunAsync(
        NpgsqlConnection connection, bool ownTransaction, IReadOnlyList<TopUpRequest> requests, DateTimeOffset now, CancellationToken ct)
    {
        var state = await ReadAsync(connection, ownTransaction, requests, ct);
        var results = requests.Select(r => Plan(state, r, now)).ToArray();
        await WriteAsync(connection, ownTransaction, state, now, ct);
        return results;
    }

    private sealed class WalletState(Wallet wallet, decimal pendingCents)
    {
        public Wallet Wallet { get; } = wallet;
        public decimal PendingCents { get; } = pendingCents;
        public long BalanceDelta { get; set; }
        public long ConsumedDelta { get; set; }
        /// <summary>Its settled grants (read when a request voids from the whole wallet), and those of this batch.</summary>
        public List<GrantState> Grants { get; } = [];
    }

    private sealed class GrantState(Guid id, Guid walletId, int priority, bool granted, DateTimeOffset createdAt, long remaining, bool isNew)
    {
        public Guid Id { get; } = id;
        public Guid WalletId { get; } = walletId;
        public bool IsNew { get; } = isNew;
        public long Remaining { get; set; } = remaining;
        public long Taken { get; set; }
        public InboundGrant Candidate => new(Id, priority, granted, createdAt, Remaining);
    }

    private sealed class State
    {
        public Dictionary<Guid, WalletState> Wallets { get; } = [];
        /// <summary>The grants of <see cref="WalletState.Grants"/> and the grants voids name, by id.</summary>
        public Dictionary<Guid, GrantState> Grants { get; } = [];
        public List<WalletTransaction> Rows { get; } = [];
        public List<(Guid Id, Guid Inbound, Guid Outbound, long Cents)> Consumptions { get; } = [];
    }

    private const string LockSql = """
        SELECT pg_advisory_xact_lock(hashtextextended(customer_id::text, 0))
        FROM (SELECT DISTINCT customer_id FROM wallets WHERE id = ANY($1) ORDER BY customer_id) AS c
        """;

    // Statements of their own, after the locks, so they read what the previous holders of the locks committed.
    // A deleted customer's wallets are not found, as every other route answers.
    private const string WalletsSql = """
        SELECT id, organization_id, customer_id, status, currency, rate_amount, balance_cents, invoice_requires_successful_payment,
               (SELECT COALESCE(sum(p.amount_cents), 0) FROM wallet_transactions p WHERE p.wallet_id = w.id AND p.status = 'pending')
        FROM wallets w WHERE id = ANY($1)
          AND EXISTS (SELECT 1 FROM customers c WHERE c.id = w.customer_id AND c.deleted_at IS NULL)
        """;

    private const string GrantsSql = """
        SELECT id, wallet_id, priority, transaction_status = 'granted', created_at, COALESCE(remaining_amount_cents, 0), false
        FROM wallet_transactions
        WHERE wallet_id = ANY($1) AND transaction_type = 'inbound' AND status = 'settled' AND remaining_amount_cents > 0
        UNION ALL
        SELECT id, wallet_id, priority, transaction_status = 'granted', created_at, COALESCE(remaining_amount_cents, 0), true
        FROM wallet_transactions WHERE id = ANY($2) AND transaction_type = 'inbound'
        """;

    private static async Task<State> ReadAsync(NpgsqlConnection connection, bool ownTransaction, IReadOnlyList<TopUpRequest> requests, CancellationToken ct)
    {
        var walletIds = requests.Select(r => r.WalletId).Distinct().ToArray();
        var poolVoids = requests.Where(r => r.Input.VoidedCredits is not null && string.IsNullOrEmpty(r.Input.VoidedTransactionId))
            .Select(r => r.WalletId).Distinct().ToArray();
        var targets = requests.Where(r => !string.IsNullOrEmpty(r.Input.VoidedTransactionId))
            .Select(r => Guid.Parse(r.Input.VoidedTransactionId!)).Distinct().ToArray();

        await using var batch = new NpgsqlBatch(connection);
        if (ownTransaction) batch.BatchCommands.Add(new NpgsqlBatchCommand("BEGIN"));
        batch.BatchCommands.Add(Command(LockSql, walletIds));
        batch.BatchCommands.Add(Command(WalletsSql, walletIds));
        batch.BatchCommands.Add(Command(GrantsSql, poolVoids, targets));
        await using var reader = await batch.ExecuteReaderAsync(ct);

        var state = new State();
        await reader.NextResultAsync(ct); // past the locks
        while (await reader.ReadAsync(ct))
        {
            var wallet = new Wallet
            {
                Id = reader.GetGuid(0), OrganizationId = reader.GetGuid(1), CustomerId = reader.GetGuid(2), Status = reader.GetString(3),
                Code = "", Currency = reader.GetString(4), RateAmount = reader.GetDecimal(5), BalanceCents = reader.GetInt64(6),
                InvoiceRequiresSuccessfulPayment = reader.GetBoolean(7),
            };
            state.Wallets[wallet.Id] = new WalletState(wallet, reader.GetDecimal(8));
        }
        await reader.NextResultAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var grant = new GrantState(reader.GetGuid(0), reader.GetGuid(1), reader.GetInt32(2), reader.GetBoolean(3),
                reader.GetFieldValue<DateTimeOffset>(4), reader.GetInt64(5), isNew: false);
            if (!state.Grants.TryAdd(grant.Id, grant)) continue;
            if (!reader.GetBoolean(6) && state.Wallets.TryGetValue(grant.WalletId, out var ws)) ws.Grants.Add(grant);
        }
        return state;
    }

    /// <summary>Lago's checks in Lago's order, all before anything is changed; then the request's rows.</summary>
    private static Result<List<WalletTransaction>> Plan(State state, TopUpRequest request, DateTimeOffset now)
    {
        var input = request.Input;
        if (!state.Wallets.TryGetValue(request.WalletId, out var ws) || ws.Wallet.OrganizationId != request.OrganizationId)
            return LagoError.Validation("wallet_id", "wallet_not_found");
        var wallet = ws.Wallet;
        if (!wallet.IsActive) return LagoError.Validation("wallet_id", "wallet_is_terminated");
        var rate = wallet.Rate;
        var granted = TopUpAmounts.Parse(rate, input.GrantedCredits, "granted_credits", roundTrip: true);
        if (!granted.IsOk) return granted.Error!;
        if (granted.Value is not null && TopUpAmounts.CheckRoom(wallet.BalanceCents + ws.PendingCents, null, granted.Value) is { } full) return full;

        GrantState? target = null;
        if (!string.IsNullOrEmpty(input.VoidedTransactionId))
        {
            if (!state.Grants.TryGetValue(Guid.Parse(input.VoidedTransactionId), out target) || target.WalletId != wallet.Id)
                return LagoError.Validation("voided_transaction_id", "wallet_transaction_not_found");
            if (target.Remaining == 0) return LagoError.Validation("voided_transaction_id", "no_remaining_amount");
        }
        WalletCredit? voided;
        if (target is not null && input.VoidedCredits is null) voided = rate.FromCents(target.Remaining);
        else
        {
            var parsed = TopUpAmounts.Parse(rate, input.VoidedCredits, "voided_credits", roundTrip: false);
            if (!parsed.IsOk) return parsed.Error!;
            voided = parsed.Value;
        }
        // A pool-wide void may take at most what the wallet holds now (before this request's grant, as Lago checks).
        if (target is null && voided is not null && voided.AmountCents > wallet.BalanceCents)
            return LagoError.Validation("voided_credits", "insufficient_credits");

        var name = string.IsNullOrWhiteSpace(input.Name) ? null : input.Name;
        WalletTransaction? grant = null;
        GrantState? newGrant = null;
        if (granted.Value is { } credit)
        {
            grant = Ledger.NewTransaction(wallet, Direction.Inbound, TxStatus.Settled, TxKind.Granted, credit,
                new TopUpDetails(name, input.Priority, input.Metadata, input.InvoiceRequiresSuccessfulPayment), now);
            grant.RemainingAmountCents = credit.AmountCents;
            grant.SettledAt = now;
            newGrant = new GrantState(grant.Id, wallet.Id, grant.Priority, true, now, credit.AmountCents, isNew: true);
        }

        IReadOnlyList<Consumption> takes = [];
        if (voided is not null)
        {
            // The void sees this request's grant, as in Lago.
            var split = target is not null ? GrantConsumption.ConsumeFrom(target.Candidate, voided.AmountCents)
                : GrantConsumption.Consume(ws.Grants.Append(newGrant).OfType<GrantState>().Where(g => g.Remaining > 0)
                    .Select(g => g.Candidate).ToList(), voided.AmountCents);
            if (!split.IsSuccess)
                return LagoError.Validation(split.Error == AllocationErrors.NoRemainingAmount ? "voided_transaction_id" : AllocationErrors.Field, split.Error!);
            takes = split.Value!;
        }

        // Accepted: from here on the request changes the batch's state.
        var created = new List<WalletTransaction>();
        if (grant is not null)
        {
            state.Grants[grant.Id] = newGrant!;
            ws.Grants.Add(newGrant!);
            ws.BalanceDelta += grant.AmountCents;
            wallet.BalanceCents += grant.AmountCents;
            created.Add(grant);
        }
        if (voided is not null)
        {
            var debit = Ledger.NewTransaction(wallet, Direction.Outbound, TxStatus.Settled, TxKind.Voided, voided, TopUpDetails.None, now);
            debit.SettledAt = now;
            debit.Name = name;
            debit.Metadata = input.Metadata ?? [];
            foreach (var take in takes)
            {
                var from = state.Grants[take.InboundId];
                from.Remaining -= take.Cents;
                from.Taken += take.Cents;
                if (from == newGrant) grant!.RemainingAmountCents -= take.Cents;
                state.Consumptions.Add((Ids.New(), take.InboundId, debit.Id, take.Cents));
            }
            ws.BalanceDelta -= voided.AmountCents;
            ws.ConsumedDelta += voided.AmountCents;
            wallet.BalanceCents -= voided.AmountCents;
            created.Add(debit);
        }
        foreach (var row in created) row.Wallet = wallet;
        state.Rows.AddRange(created);
        return created;
    }

    private const string WalletsUpdateSql = """
        UPDATE wallets w SET balance_cents = w.balance_cents + d.balance, consumed_amount_cents = w.consumed_amount_cents + d.consumed,
            last_balance_sync_at = $4, last_consumed_credit_at = CASE WHEN d.consumed > 0 THEN $4 ELSE w.last_consumed_credit_at END, updated_at = $4
        FROM unnest($1::uuid[], $2::bigint[], $3::bigint[]) AS d (id, balance, consumed) WHERE w.id = d.id
        """;

    private const string InsertSql = """
        INSERT INTO wallet_transactions (id, organization_id, customer_id, wallet_id, transaction_type, status, transaction_status,
            amount_cents, credit_amount, remaining_amount_cents, priority, name, metadata, invoice_requires_successful_payment,
            settled_at, created_at, updated_at)
        SELECT t.*, t.created_at FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::text[], $6::text[], $7::text[],
            $8::bigint[], $9::numeric[], $10::bigint[], $11::integer[], $12::varchar[], $13::jsonb[], $14::boolean[],
            $15::timestamptz[], $16::timestamptz[]) AS t (id, organization_id, customer_id, wallet_id, transaction_type, status,
            transaction_status, amount_cents, credit_amount, remaining_amount_cents, priority, name, metadata,
            invoice_requires_successful_payment, settled_at, created_at)
        """;

    private const string ConsumeSql = """
        UPDATE wallet_transactions t SET remaining_amount_cents = t.remaining_amount_cents - c.cents, updated_at = $3
        FROM unnest($1::uuid[], $2::bigint[]) AS c (id, cents) WHERE t.id = c.id
        """;

    private const string ConsumptionsSql = """
        INSERT INTO wallet_transaction_consumptions
            (id, organization_id, wallet_id, inbound_wallet_transaction_id, outbound_wallet_transaction_id, consumed_amount_cents, created_at)
        SELECT c.id, c.organization_id, c.wallet_id, c.inbound, c.outbound, c.cents, $7
        FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::uuid[], $6::bigint[]) AS c (id, organization_id, wallet_id, inbound, outbound, cents)
        """;

    private static async Task WriteAsync(NpgsqlConnection connection, bool ownTransaction, State state, DateTimeOffset now, CancellationToken ct)
    {
        await using var batch = new NpgsqlBatch(connection);
        var changed = state.Wallets.Values.Where(w => w.BalanceDelta != 0 || w.ConsumedDelta != 0).ToList();
        if (changed.Count > 0)
            batch.BatchCommands.Add(Command(WalletsUpdateSql, changed.Select(w => w.Wallet.Id).ToArray(),
                changed.Select(w => w.BalanceDelta).ToArray(), changed.Select(w => w.ConsumedDelta).ToArray(), now));
        var rows = state.Rows;
        if (rows.Count > 0)
            batch.BatchCommands.Add(Command(InsertSql, rows.Select(t => t.Id).ToArray(), rows.Select(t => t.OrganizationId).ToArray(),
                rows.Select(t => t.CustomerId).ToArray(), rows.Select(t => t.WalletId).ToArray(), rows.Select(t => t.TransactionType).ToArray(),
                rows.Select(t => t.Status).ToArray(), rows.Select(t => t.TransactionStatus).ToArray(), rows.Select(t => t.AmountCents).ToArray(),
                rows.Select(t => t.CreditAmount).ToArray(),
                // A grant of this batch is written with what the batch left in it.
                rows.Select(t => state.Grants.TryGetValue(t.Id, out var g) ? g.Remaining : t.RemainingAmountCents).ToArray(),
                rows.Select(t => t.Priority).ToArray(), rows.Select(t => t.Name).ToArray(),
                new NpgsqlParameter { Value = rows.Select(t => JsonColumn.Serialize(t.Metadata)).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Jsonb },
                rows.Select(t => t.InvoiceRequiresSuccessfulPayment).ToArray(), rows.Select(t => t.SettledAt!.Value).ToArray(),
                rows.Select(t => t.CreatedAt).ToArray()));
        var taken = state.Grants.Values.Where(g => g is { IsNew: false, Taken: > 0 }).ToList();
        if (taken.Count > 0)
            batch.BatchCommands.Add(Command(ConsumeSql, taken.Select(g => g.Id).ToArray(), taken.Select(g => g.Taken).ToArray(), now));
        var links = state.Consumptions;
        if (links.Count > 0)
        {
            var walletOf = links.Select(c => state.Grants[c.Inbound].WalletId).ToArray();
            batch.BatchCommands.Add(Command(ConsumptionsSql, links.Select(c => c.Id).ToArray(),
                walletOf.Select(w => state.Wallets[w].Wallet.OrganizationId).ToArray(), walletOf,
                links.Select(c => c.Inbound).ToArray(), links.Select(c => c.Outbound).ToArray(), links.Select(c => c.Cents).ToArray(), now));
        }
        if (ownTransaction) batch.BatchCommands.Add(new NpgsqlBatchCommand("COMMIT"));
        if (batch.BatchCommands.Count > 0) await batch.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Ends the connection's transaction after a failure, so a pooled connection goes back clean.</summary>
    public static async Task RollbackAsync(NpgsqlConnection connection)
    {
        try
        {
            await using var rollback = new NpgsqlCommand("ROLLBACK", connection);
            await rollback.ExecuteNonQueryAsync(CancellationToken.None);
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
        {
            // A broken connection is not reused; the server ends its transaction.
        }
    }

    private static NpgsqlBatchCommand Command(string sql, params object[] values)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var value in values) command.Parameters.Add(value as NpgsqlParameter ?? new NpgsqlParameter { Value = value });
        return command;
    }
}
