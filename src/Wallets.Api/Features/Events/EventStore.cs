using Npgsql;
using NpgsqlTypes;

namespace Wallets.Api.Features.Events;

/// <summary>How storing one event went: stored (and matched to this active subscription, if any), or a duplicate.</summary>
public sealed record EventOutcome(bool Inserted, Guid? SubscriptionId, Guid? CustomerId);

/// <summary>
/// Runs <see cref="EventStatement"/> for a set of events on one connection: routes them from the cache (loading
/// unknown routes in one query per organization), and when the statement found a route stale (it then stored
/// nothing), reloads those routes and sends the whole set again. One round trip when every route is cached and
/// current. The statement follows the organizations' shared events lock (<see cref="EventStatement.ShareOrganizationsSql"/>),
/// in the same round trip. With <c>allOrNothing</c>, a stored transaction_id fails the statement
/// (<see cref="EventStatement.AllOrNothingSql"/>) instead of being reported. Without a transaction (<c>tx</c> null)
/// the two commit on their own, as one implicit transaction: the whole set's work or none of it.
/// </summary>
internal static class EventStore
{
    private const int MaxRouteAttempts = 5;

    public static async Task<EventOutcome[]> StoreAsync(NpgsqlConnection connection, NpgsqlTransaction? tx, SubscriptionRoutes routes,
        IReadOnlyList<(Guid Organization, ParsedEvent Event)> events, DateTimeOffset now, CancellationToken ct, bool allOrNothing = false)
    {
        for (var attempt = 1; ; attempt++)
        {
            var rows = new List<(Guid Organization, ParsedEvent Event, CachedRoute Cached)>(events.Count);
            var order = new List<int>(events.Count);
            foreach (var organization in Enumerable.Range(0, events.Count).GroupBy(i => events[i].Organization))
            {
                var known = await routes.GetAsync(connection, tx, organization.Key, organization.Select(i => events[i].Event.ExternalSubscriptionId), ct);
                rows.AddRange(organization.Select(i => (organization.Key, events[i].Event, known[events[i].Event.ExternalSubscriptionId])));
                order.AddRange(organization);
            }
            var results = await ExecuteAsync(connection, tx, rows, now, allOrNothing ? EventStatement.AllOrNothingSql : EventStatement.Sql, ct);
            if (results.TrueForAll(r => r.RouteOk))
            {
                var outcomes = new EventOutcome[events.Count];
                for (var k = 0; k < order.Count; k++) outcomes[order[k]] = results[k].Outcome;
                return outcomes;
            }
            if (attempt == MaxRouteAttempts) throw new InvalidOperationException("Subscription routes kept changing during ingestion.");
            for (var k = 0; k < order.Count; k++)
            {
                if (!results[k].RouteOk) routes.Forget(events[order[k]].Organization, events[order[k]].Event.ExternalSubscriptionId);
            }
        }
    }

    private static async Task<List<(bool RouteOk, EventOutcome Outcome)>> ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction? tx,
        List<(Guid Organization, ParsedEvent Event, CachedRoute Cached)> rows, DateTimeOffset now, string sql, CancellationToken ct)
    {
        await using var batch = new NpgsqlBatch(connection, tx);
        var share = new NpgsqlBatchCommand(EventStatement.ShareOrganizationsSql);
        share.Parameters.Add(Array(NpgsqlDbType.Uuid, rows.Select(r => r.Organization).Distinct()));
        var command = new NpgsqlBatchCommand(sql);
        batch.BatchCommands.Add(share);
        batch.BatchCommands.Add(command);
        var shard = UsageShards.Rent();
        try
        {
            var p = command.Parameters;
            p.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.TimestampTz, Value = now });
            p.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Smallint, Value = shard.Shard });
            p.Add(Array(NpgsqlDbType.Uuid, rows.Select(r => r.Organization)));
            p.Add(Array(NpgsqlDbType.Uuid, rows.Select(r => r.Event.Id)));
            p.Add(Array(NpgsqlDbType.Text, rows.Select(r => r.Event.TransactionId)));
            p.Add(Array(NpgsqlDbType.Text, rows.Select(r => r.Event.ExternalSubscriptionId)));
            p.Add(Array(NpgsqlDbType.Text, rows.Select(r => r.Event.ExternalCustomerId)));
            p.Add(Array(NpgsqlDbType.Text, rows.Select(r => r.Event.Code)));
            p.Add(Array(NpgsqlDbType.TimestampTz, rows.Select(r => r.Event.Timestamp)));
            p.Add(Array(NpgsqlDbType.Jsonb, rows.Select(r => r.Event.Properties.GetRawText())));
            p.Add(Array(NpgsqlDbType.Numeric, rows.Select(r => r.Event.PreciseTotalAmountCents)));
            p.Add(Array(NpgsqlDbType.Text, rows.Select(r => r.Event.TargetWalletCode)));
            p.Add(Array(NpgsqlDbType.TimestampTz, rows.Select(r => r.Cached.Route?.PeriodFrom(r.Event.Timestamp))));
            p.Add(Array(NpgsqlDbType.Uuid, rows.Select(r => r.Cached.Route?.SubscriptionId)));
            p.Add(Array(NpgsqlDbType.Uuid, rows.Select(r => r.Cached.Route?.CustomerId)));
            p.Add(Array(NpgsqlDbType.Uuid, rows.Select(r => r.Cached.Route?.PlanId)));
            p.Add(Array(NpgsqlDbType.TimestampTz, rows.Select(r => r.Cached.Route?.StartedAt)));
            p.Add(Array(NpgsqlDbType.Bigint, rows.Select(r => r.Cached.Version)));
            p.Add(Array(NpgsqlDbType.Json, rows.Select(r => EventErrors.TargetNotFound(r.Organization, r.Event, r.Cached.Route, now))));
            // Prepared once per physical connection, and run with its generic plan (see Startup.CreateDataSource).
            await batch.PrepareAsync(ct);

            var results = new List<(bool, EventOutcome)>(rows.Count);
            await using var reader = await batch.ExecuteReaderAsync(ct);
            await reader.NextResultAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                results.Add((reader.GetBoolean(0), new EventOutcome(reader.GetBoolean(1),
                    reader.IsDBNull(2) ? null : reader.GetGuid(2), reader.IsDBNull(3) ? null : reader.GetGuid(3))));
            }
            return results;
        }
        finally
        {
            UsageShards.Return(shard);
        }
    }

    private static NpgsqlParameter Array<T>(NpgsqlDbType type, IEnumerable<T> values) =>
        new() { NpgsqlDbType = NpgsqlDbType.Array | type, Value = values.ToArray() };
}
