using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using Wallets.Api.Data;
using Wallets.Api.Features.Wallets;
using Wallets.Api.Http;

namespace Wallets.Api.Features.Events;

/// <summary>
/// Stores events and aggregates them into usage in the same statement (<see cref="EventStatement"/>): single events
/// through the <see cref="EventWriter"/>'s group commit, a batch as one statement, all or nothing. A request
/// with an Idempotency-Key already runs in a transaction (its response is stored in it): then events join it.
/// EF Core stays off this path unless that transaction exists.
/// </summary>
public sealed class EventIngestion(NpgsqlDataSource dataSource, EventWriter writer, SubscriptionRoutes routes, Tenant tenant, TimeProvider clock,
    IServiceProvider services, OngoingBalanceChanges changes)
{
    private const int MaxDeadlockRetries = 3;

    public async Task<Result<StoredEvent>> IngestOneAsync(ParsedEvent e, bool inRequestTransaction, CancellationToken ct)
    {
        EventOutcome outcome;
        DateTimeOffset storedAt;
        if (inRequestTransaction && RequestTransaction() is var (connection, tx))
        {
            storedAt = clock.GetUtcNow();
            outcome = (await EventStore.StoreAsync(connection, tx, routes, [(tenant.OrganizationId, e)], storedAt, ct))[0];
        }
        else
        {
            (outcome, storedAt) = await writer.WriteAsync(tenant.OrganizationId, e, ct);
        }
        Changed([outcome], inRequestTransaction);
        return outcome.Inserted
            ? new StoredEvent(e, outcome.SubscriptionId, outcome.CustomerId, storedAt)
            : LagoError.Validation("transaction_id", "value_already_exist");
    }

    /// <summary>Stores every event or none: a stored transaction_id is `value_already_exist` at its index and nothing changes.</summary>
    public async Task<Result<StoredEvent[]>> IngestBatchAsync(IReadOnlyList<ParsedEvent> events, bool inRequestTransaction, CancellationToken ct)
    {
        var joined = inRequestTransaction ? RequestTransaction() : null;
        // Without a request transaction the batch is first one statement that commits on its own and fails on a stored
        // transaction_id (the cheaper insert, and no COMMIT round trip while usage rows are locked). Only after such a
        // failure is it run again skipping duplicates, in a transaction rolled back, to tell which ones they were.
        // (A failed statement would end a joined transaction, so a joined batch always skips and reports.)
        var allOrNothing = joined is null;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var owned = joined is null ? await dataSource.OpenConnectionAsync(ct) : null;
                await using var ownedTx = owned is null || allOrNothing ? null : await owned.BeginTransactionAsync(ct);
                var now = clock.GetUtcNow();
                var outcomes = await EventStore.StoreAsync(owned ?? joined!.Value.Connection, ownedTx ?? joined?.Transaction, routes,
                    events.Select(e => (tenant.OrganizationId, e)).ToList(), now, ct, allOrNothing);
                var duplicates = outcomes.Select((o, i) => (o, i)).Where(x => !x.o.Inserted).Select(x => x.i).ToList();
                if (duplicates.Count > 0)
                {
                    if (ownedTx is not null) await ownedTx.RollbackAsync(ct);
                    return Duplicates(duplicates);
                }
                if (ownedTx is not null) await ownedTx.CommitAsync(ct);
                Changed(outcomes, joined is not null);
                return events.Select((e, i) => new StoredEvent(e, outcomes[i].SubscriptionId, outcomes[i].CustomerId, now)).ToArray();
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation && e.ConstraintName == "events_transaction_id" && allOrNothing)
            {
                allOrNothing = false;
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.DeadlockDetected && attempt < MaxDeadlockRetries && joined is null)
            {
                // Only batches carrying each other's transaction_ids can meet this way; the loser runs again.
            }
        }
    }

    private static LagoError Duplicates(IEnumerable<int> indexes) => LagoError.ValidationByItem(indexes.ToDictionary(
        i => i.ToString(System.Globalization.CultureInfo.InvariantCulture),
        IReadOnlyDictionary<string, string[]> (_) => new Dictionary<string, string[]> { ["transaction_id"] = ["value_already_exist"] }));

    /// <summary>The customers whose usage the stored events changed, for the ongoing-balance job (when the request's transaction commits, if joined).</summary>
    private void Changed(IEnumerable<EventOutcome> outcomes, bool joined)
    {
        var db = joined ? services.GetRequiredService<WalletsDbContext>() : null;
        foreach (var outcome in outcomes)
        {
            if (!outcome.Inserted || outcome.CustomerId is not { } customer) continue;
            if (db is not null) changes.MarkOnCommit(db, tenant.OrganizationId, customer);
            else changes.Mark(tenant.OrganizationId, customer);
        }
    }

    /// <summary>The transaction the Idempotency-Key filter opened for this request, if any.</summary>
    private (NpgsqlConnection Connection, NpgsqlTransaction Transaction)? RequestTransaction()
    {
        var db = services.GetRequiredService<WalletsDbContext>();
        return db.Database.CurrentTransaction is { } tx
            ? ((NpgsqlConnection)db.Database.GetDbConnection(), (NpgsqlTransaction)tx.GetDbTransaction())
            : null;
    }
}
