using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;
using Wallets.Api.Data;
using Wallets.Api.Http;
using Wallets.Domain.Allocation;
using Wallets.Domain.Money;

namespace Wallets.Api.Features.WalletTransactions;

/// <summary>
/// The grant and the void of `POST /wallet_transactions` (the hot path of the ledger) in two round trips of prepared
/// SQL: the first takes the customer lock and reads the wallet and its grants, the second writes every row and
/// commits. The customer lock is held for little more than one round trip. The rows are the <see cref="Ledger"/>'s,
/// split over grants by the domain's consumption engine, and the database re-checks every ledger rule at commit.
/// Inside an open transaction (an Idempotency-Key request, a purchase) it joins it and leaves the commit to its owner.
/// </summary>
public sealed class GrantsAndVoids(WalletsDbContext db, Tenant tenant, TimeProvider clock)
{
    public async Task<Result<List<WalletTransaction>>> ApplyAsync(Guid walletId, WalletTransactionInput input, CancellationToken ct)
    {
        var owned = db.Database.CurrentTransaction is null;
        await db.Database.OpenConnectionAsync(ct);
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        var done = false;
        try
        {
            var read = await ReadAsync(connection, owned, walletId, input, ct);
            var plan = Plan(read, input);
            if (!plan.IsOk) return plan.Error!;
            await WriteAsync(connection, owned, read.Wallet!, plan.Value!, ct);
            done = true;
            return plan.Value!.Created;
        }
        finally
        {
            // An owned transaction that did not commit (a refusal, an error) ends here, so the pooled connection is clean.
            if (owned && !done) await RollbackAsync(connection);
            await db.Database.CloseConnectionAsync();
        }
    }

    private sealed record Read(Wallet? Wallet, decimal PendingCents, List<InboundGrant> Grants, InboundGrant? Target);

    private sealed record Writes(List<WalletTransaction> Created, long BalanceDelta, long ConsumedDelta, List<Consumption> Takes, Guid? DebitId);

    private const string LockSql = """
        SELECT 1 FROM wallets
        WHERE id = $1 AND organization_id = $2 AND pg_advisory_xact_lock(hashtextextended(customer_id::text, 0)) IS NOT NULL
        """;

    // A statement of its own, after the lock, so it reads what the previous holder of the lock committed.
    private const string WalletSql = """
        SELECT customer_id, status, currency, rate_amount, balance_cents, invoice_requires_successful_payment,
               CASE WHEN $3 THEN (SELECT COALESCE(sum(amount_cents), 0) FROM wallet_transactions WHERE wallet_id = $1 AND status = 'pending') END
        FROM wallets WHERE id = $1 AND organization_id = $2
        """;

    private const string GrantsSql = """
        SELECT id, priority, transaction_status = 'granted', created_at, remaining_amount_cents FROM wallet_transactions
        WHERE $2 AND wallet_id = $1 AND transaction_type = 'inbound' AND status = 'settled' AND remaining_amount_cents > 0
        """;

    private const string TargetSql = """
        SELECT id, priority, transaction_status = 'granted', created_at, COALESCE(remaining_amount_cents, 0) FROM wallet_transactions
        WHERE id = $1 AND wallet_id = $2 AND transaction_type = 'inbound'
        """;

    private async Task<Read> ReadAsync(NpgsqlConnection connection, bool owned, Guid walletId, WalletTransactionInput input, CancellationToken ct)
    {
        Guid? targetId = string.IsNullOrEmpty(input.VoidedTransactionId) ? null : Guid.Parse(input.VoidedTransactionId);
        var poolVoid = targetId is null && input.VoidedCredits is not null;
        await using var batch = new NpgsqlBatch(connection);
        if (owned) batch.BatchCommands.Add(new NpgsqlBatchCommand("BEGIN"));
        batch.BatchCommands.Add(Command(LockSql, walletId, tenant.OrganizationId));
        batch.BatchCommands.Add(Command(WalletSql, walletId, tenant.OrganizationId, input.GrantedCredits is not null));
        batch.BatchCommands.Add(Command(GrantsSql, walletId, poolVoid));
        batch.BatchCommands.Add(Command(TargetSql, Uuid(targetId), walletId));

        await using var reader = await batch.ExecuteReaderAsync(ct);
        await reader.NextResultAsync(ct); // the lock
        Wallet? wallet = null;
        decimal pending = 0;
        if (await reader.ReadAsync(ct))
        {
            wallet = new Wallet
            {
                Id = walletId, OrganizationId = tenant.OrganizationId, CustomerId = reader.GetGuid(0), Status = reader.GetString(1),
                Code = "", Currency = reader.GetString(2), RateAmount = reader.GetDecimal(3), BalanceCents = reader.GetInt64(4),
                InvoiceRequiresSuccessfulPayment = reader.GetBoolean(5),
            };
            pending = reader.IsDBNull(6) ? 0 : reader.GetDecimal(6);
        }
        await reader.NextResultAsync(ct);
        var grants = new List<InboundGrant>();
        while (await reader.ReadAsync(ct)) grants.Add(GrantAt(reader));
        await reader.NextResultAsync(ct);
        var target = await reader.ReadAsync(ct) ? GrantAt(reader) : null;
        return new Read(wallet, pending, grants, target);
    }

    /// <summary>Lago's checks in Lago's order, all before anything is written; then the rows to write.</summary>
    private Result<Writes> Plan(Read read, WalletTransactionInput input)
    {
        if (read.Wallet is not { } wallet) return LagoError.Validation("wallet_id", "wallet_not_found");
        if (!wallet.IsActive) return LagoError.Validation("wallet_id", "wallet_is_terminated");
        var rate = wallet.Rate;
        var granted = TopUpAmounts.Parse(rate, input.GrantedCredits, "granted_credits", roundTrip: true);
        if (!granted.IsOk) return granted.Error!;
        if (granted.Value is not null && TopUpAmounts.CheckRoom(wallet.BalanceCents + read.PendingCents, null, granted.Value) is { } full) return full;

        var grants = read.Grants;
        if (!string.IsNullOrEmpty(input.VoidedTransactionId))
        {
            if (read.Target is null) return LagoError.Validation("voided_transaction_id", "wallet_transaction_not_found");
            if (read.Target.RemainingCents == 0) return LagoError.Validation("voided_transaction_id", "no_remaining_amount");
            grants = [read.Target];
        }
        WalletCredit? voided;
        if (read.Target is not null && input.VoidedCredits is null) voided = rate.FromCents(read.Target.RemainingCents);
        else
        {
            var parsed = TopUpAmounts.Parse(rate, input.VoidedCredits, "voided_credits", roundTrip: false);
            if (!parsed.IsOk) return parsed.Error!;
            voided = parsed.Value;
        }
        // A pool-wide void may take at most what the wallet holds now (before this request's grant, as Lago checks).
        if (read.Target is null && voided is not null && voided.AmountCents > wallet.BalanceCents)
            return LagoError.Validation("voided_credits", "insufficient_credits");

        var now = clock.GetUtcNow();
        var name = string.IsNullOrWhiteSpace(input.Name) ? null : input.Name;
        var created = new List<WalletTransaction>();
        WalletTransaction? grant = null;
        if (granted.Value is { } credit)
        {
            grant = Ledger.NewTransaction(wallet, Direction.Inbound, TxStatus.Settled, TxKind.Granted, credit,
                new TopUpDetails(name, input.Priority, input.Metadata, input.InvoiceRequiresSuccessfulPayment), now);
            grant.RemainingAmountCents = credit.AmountCents;
            grant.SettledAt = now;
            created.Add(grant);
            // The void sees this request's grant, as in Lago.
            if (read.Target is null) grants = [.. grants, new InboundGrant(grant.Id, grant.Priority, true, now, credit.AmountCents)];
        }

        List<Consumption> takes = [];
        WalletTransaction? debit = null;
        if (voided is not null)
        {
            var split = read.Target is not null ? GrantConsumption.ConsumeFrom(grants[0], voided.AmountCents) : GrantConsumption.Consume(grants, voided.AmountCents);
            if (!split.IsSuccess)
                return LagoError.Validation(split.Error == AllocationErrors.NoRemainingAmount ? "voided_transaction_id" : AllocationErrors.Field, split.Error!);
            takes = [.. split.Value];
            debit = Ledger.NewTransaction(wallet, Direction.Outbound, TxStatus.Settled, TxKind.Voided, voided, TopUpDetails.None, now);
            debit.SettledAt = now;
            debit.Name = name;
            debit.Metadata = input.Metadata ?? [];
            created.Add(debit);
            if (grant is not null && takes.FirstOrDefault(t => t.InboundId == grant.Id) is { } fromNew) grant.RemainingAmountCents -= fromNew.Cents;
        }
        foreach (var row in created) row.Wallet = wallet;
        return new Writes(created, (granted.Value?.AmountCents ?? 0) - (voided?.AmountCents ?? 0), voided?.AmountCents ?? 0, takes, debit?.Id);
    }

    private const string WalletUpdateSql = """
        UPDATE wallets SET balance_cents = balance_cents + $2, consumed_amount_cents = consumed_amount_cents + $3,
            last_balance_sync_at = $4, last_consumed_credit_at = CASE WHEN $3 > 0 THEN $4 ELSE last_consumed_credit_at END, updated_at = $4
        WHERE id = $1
        """;

    private const string InsertSql = """
        INSERT INTO wallet_transactions (id, organization_id, customer_id, wallet_id, transaction_type, status, transaction_status,
            amount_cents, credit_amount, remaining_amount_cents, priority, name, metadata, invoice_requires_successful_payment,
            settled_at, created_at, updated_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16)
        """;

    private const string ConsumeSql = """
        UPDATE wallet_transactions t SET remaining_amount_cents = t.remaining_amount_cents - c.cents, updated_at = $3
        FROM unnest($1::uuid[], $2::bigint[]) AS c (id, cents) WHERE t.id = c.id
        """;

    private const string ConsumptionsSql = """
        INSERT INTO wallet_transaction_consumptions
            (id, organization_id, wallet_id, inbound_wallet_transaction_id, outbound_wallet_transaction_id, consumed_amount_cents, created_at)
        SELECT c.id, $4, $5, c.inbound, $6, c.cents, $7 FROM unnest($1::uuid[], $2::uuid[], $3::bigint[]) AS c (id, inbound, cents)
        """;

    private async Task WriteAsync(NpgsqlConnection connection, bool owned, Wallet wallet, Writes writes, CancellationToken ct)
    {
        await using var batch = new NpgsqlBatch(connection);
        var now = clock.GetUtcNow();
        if (writes.Created.Count > 0)
            batch.BatchCommands.Add(Command(WalletUpdateSql, wallet.Id, writes.BalanceDelta, writes.ConsumedDelta, writes.Created[0].CreatedAt));
        foreach (var t in writes.Created)
            batch.BatchCommands.Add(Command(InsertSql, t.Id, t.OrganizationId, t.CustomerId, t.WalletId, t.TransactionType, t.Status,
                t.TransactionStatus, t.AmountCents, t.CreditAmount, Int64(t.RemainingAmountCents), t.Priority, Text(t.Name),
                new NpgsqlParameter { Value = JsonColumn.Serialize(t.Metadata), NpgsqlDbType = NpgsqlDbType.Jsonb },
                t.InvoiceRequiresSuccessfulPayment, t.SettledAt!.Value, t.CreatedAt));
        if (writes.Takes.Count > 0)
        {
            // A grant of this request is inserted settled and full above; taking from it is an update like any other.
            batch.BatchCommands.Add(Command(ConsumeSql, writes.Takes.Select(t => t.InboundId).ToArray(), writes.Takes.Select(t => t.Cents).ToArray(), now));
            batch.BatchCommands.Add(Command(ConsumptionsSql, writes.Takes.Select(_ => Ids.New()).ToArray(), writes.Takes.Select(t => t.InboundId).ToArray(),
                writes.Takes.Select(t => t.Cents).ToArray(), wallet.OrganizationId, wallet.Id, writes.DebitId!.Value, now));
        }
        if (owned) batch.BatchCommands.Add(new NpgsqlBatchCommand("COMMIT"));
        if (batch.BatchCommands.Count > 0) await batch.ExecuteNonQueryAsync(ct);
    }

    private static async Task RollbackAsync(NpgsqlConnection connection)
    {
        try
        {
            await using var rollback = new NpgsqlCommand("ROLLBACK", connection);
            await rollback.ExecuteNonQueryAsync(CancellationToken.None);
        }
        catch (NpgsqlException)
        {
            // A broken connection is not returned to the pool; the server ends its transaction.
        }
    }

    private static InboundGrant GrantAt(NpgsqlDataReader reader) => new(
        reader.GetGuid(0), reader.GetInt32(1), reader.GetBoolean(2), reader.GetFieldValue<DateTimeOffset>(3), reader.GetInt64(4));

    private static NpgsqlBatchCommand Command(string sql, params object[] values)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var value in values) command.Parameters.Add(value as NpgsqlParameter ?? new NpgsqlParameter { Value = value });
        return command;
    }

    private static NpgsqlParameter Uuid(Guid? value) => new() { Value = value is { } v ? v : DBNull.Value, NpgsqlDbType = NpgsqlDbType.Uuid };

    private static NpgsqlParameter Int64(long? value) => new() { Value = value is { } v ? v : DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint };

    private static NpgsqlParameter Text(string? value) => new() { Value = value ?? (object)DBNull.Value, NpgsqlDbType = NpgsqlDbType.Varchar };
}
