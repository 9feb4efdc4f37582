using System.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using NpgsqlTypes;
using Wallets.Api.Data;
using Wallets.Api.Http;

namespace Wallets.Api.Features.Events;

/// <summary>
/// Stores events and aggregates them into usage at once (<see cref="EventStatement"/>): one round trip per event or
/// per batch when the routes are cached, one more to load unknown routes. A batch is all-or-nothing.
/// </summary>
public sealed class EventIngestion(NpgsqlDataSource dataSource, WalletsDbContext db, SubscriptionRoutes routes, Tenant tenant, TimeProvider clock)
{
    private const int MaxRouteAttempts = 5;
    private const int MaxDeadlockRetries = 3;

    /// <summary>Stores every event or none: a duplicate transaction_id is `value_already_exist` and nothing changes.</summary>
    public async Task<Result<StoredEvent[]>> IngestAsync(IReadOnlyList<ParsedEvent> events, bool batch, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await IngestOnceAsync(events, batch, ct);
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.DeadlockDetected && attempt < MaxDeadlockRetries
                && db.Database.CurrentTransaction is null)
            {
                // Only batches carrying each other's transaction_ids can meet this way; the loser runs again.
            }
        }
    }

    private async Task<Result<StoredEvent[]>> IngestOnceAsync(IReadOnlyList<ParsedEvent> events, bool batch, CancellationToken ct)
    {
        var organization = tenant.OrganizationId;
        var now = clock.GetUtcNow();
        // An Idempotency-Key request already runs in a transaction (its response is stored in it): join it.
        var joined = db.Database.CurrentTransaction;
        await using var owned = joined is null ? await dataSource.OpenConnectionAsync(ct) : null;
        var connection = owned ?? (NpgsqlConnection)db.Database.GetDbConnection();
        await using var ownedTx = owned is not null && events.Count > 1 ? await owned.BeginTransactionAsync(ct) : null;
        var tx = ownedTx ?? (NpgsqlTransaction?)joined?.GetDbTransaction();

        var stored = new StoredEvent[events.Count];
        var duplicates = new List<int>();
        var pending = Enumerable.Range(0, events.Count).ToList();
        for (var attempt = 1; pending.Count > 0; attempt++)
        {
            if (attempt > MaxRouteAttempts) throw new InvalidOperationException("Subscription routes kept changing during ingestion.");
            var known = await routes.GetAsync(connection, tx, organization, pending.Select(i => events[i].ExternalSubscriptionId), ct);
            var outcomes = await ExecuteAsync(connection, tx, organization, now, pending.Select(i => (events[i], known[events[i].ExternalSubscriptionId])).ToList(), ct);
            var stale = new List<int>();
            for (var k = 0; k < pending.Count; k++)
            {
                var index = pending[k];
                var outcome = outcomes[k];
                if (!outcome.RouteOk)
                {
                    routes.Forget(organization, events[index].ExternalSubscriptionId);
                    stale.Add(index);
                }
                else if (!outcome.Inserted) duplicates.Add(index);
                else stored[index] = new StoredEvent(events[index], outcome.SubscriptionId, outcome.CustomerId, now);
            }
            pending = stale;
        }

        if (duplicates.Count > 0)
        {
            if (ownedTx is not null) await ownedTx.RollbackAsync(ct);
            return batch ? Duplicates(duplicates) : LagoError.Validation("transaction_id", "value_already_exist");
        }
        if (ownedTx is not null) await ownedTx.CommitAsync(ct);
        return stored;
    }

    public static LagoError Duplicates(IEnumerable<int> indexes) => LagoError.ValidationByItem(indexes.Distinct().Order().ToDictionary(
        i => i.ToString(System.Globalization.CultureInfo.InvariantCulture),
        IReadOnlyDictionary<string, string[]> (_) => new Dictionary<string, string[]> { ["transaction_id"] = ["value_already_exist"] }));

    private sealed record Outcome(bool RouteOk, bool Inserted, Guid? SubscriptionId, Guid? CustomerId);

    private static async Task<List<Outcome>> ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction? tx, Guid organization,
        DateTimeOffset now, List<(ParsedEvent Event, SubscriptionRoute? Route)> rows, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(EventStatement.Sql, connection, tx);
        var p = command.Parameters;
        p.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Uuid, Value = organization });
        p.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.TimestampTz, Value = now });
        p.Add(Array(NpgsqlDbType.Uuid, rows.Select(r => r.Event.Id)));
        p.Add(Array(NpgsqlDbType.Text, rows.Select(r => r.Event.TransactionId)));
        p.Add(Array(NpgsqlDbType.Text, rows.Select(r => r.Event.ExternalSubscriptionId)));
        p.Add(Array(NpgsqlDbType.Text, rows.Select(r => r.Event.ExternalCustomerId)));
        p.Add(Array(NpgsqlDbType.Text, rows.Select(r => r.Event.Code)));
        p.Add(Array(NpgsqlDbType.TimestampTz, rows.Select(r => r.Event.Timestamp)));
        p.Add(Array(NpgsqlDbType.Jsonb, rows.Select(r => r.Event.Properties.GetRawText())));
        p.Add(Array(NpgsqlDbType.Numeric, rows.Select(r => r.Event.PreciseTotalAmountCents)));
        p.Add(Array(NpgsqlDbType.Text, rows.Select(r => r.Event.TargetWalletCode)));
        p.Add(Array(NpgsqlDbType.TimestampTz, rows.Select(r => r.Route?.PeriodFrom(r.Event.Timestamp))));
        p.Add(Array(NpgsqlDbType.Uuid, rows.Select(r => r.Route?.SubscriptionId)));
        p.Add(Array(NpgsqlDbType.Text, rows.Select(r => r.Route?.Timezone)));
        // Prepared once per physical connection; the plan is reused by every later ingestion on it.
        await command.PrepareAsync(ct);

        var outcomes = new List<Outcome>(rows.Count);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            outcomes.Add(new Outcome(reader.GetBoolean(0), reader.GetBoolean(1),
                reader.IsDBNull(2) ? null : reader.GetGuid(2), reader.IsDBNull(3) ? null : reader.GetGuid(3)));
        }
        return outcomes;
    }

    private static NpgsqlParameter Array<T>(NpgsqlDbType type, IEnumerable<T> values) =>
        new() { NpgsqlDbType = NpgsqlDbType.Array | type, Value = values.ToArray() };
}
