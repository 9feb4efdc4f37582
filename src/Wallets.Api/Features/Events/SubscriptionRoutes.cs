using System.Collections.Concurrent;
using Npgsql;
using Wallets.Api.Features.Subscriptions;
using Wallets.Domain.Billing;

namespace Wallets.Api.Features.Events;

/// <summary>Where an event's usage goes: the active subscription an external id names, and what its billing periods depend on.</summary>
public sealed record SubscriptionRoute(
    Guid SubscriptionId, Guid CustomerId, Guid PlanId, DateTimeOffset StartedAt,
    TimeZoneInfo Zone, PlanInterval Interval, BillingTime BillingTime, DateTimeOffset SubscriptionAt)
{
    /// <summary>The usage rows' key: the start of the full billing period containing <paramref name="at"/>.</summary>
    public DateTimeOffset PeriodFrom(DateTimeOffset at) => BillingPeriod.Containing(at, Interval, BillingTime, SubscriptionAt, Zone).From;
}

/// <summary>A cached route (null: no active subscription) and the organization's <c>routes_version</c> it was read at.</summary>
public readonly record struct CachedRoute(SubscriptionRoute? Route, long Version);

/// <summary>
/// A per-process cache of <see cref="SubscriptionRoute"/>s (and of "no active subscription"), so the hot path sends
/// only the ingestion statement. It is never trusted blindly. Each route carries the organization's
/// <c>routes_version</c> it was read at, which database triggers change whenever anything a route holds changes
/// (0009_subscription_routes_version.sql), and the statement counts an event on its route only if that number is still
/// the same; an event without a route is looked up again there. Otherwise the statement stores nothing and reports
/// the event, which is routed again after a reload. So a stale entry (another replica terminated a subscription, a time
/// zone changed) costs one more round trip, never a wrong count. Once a load sees a newer version, the organization's
/// older entries are reloaded when next used, without that round trip.
/// </summary>
public sealed class SubscriptionRoutes
{
    private const int MaxEntries = 200_000;
    private readonly ConcurrentDictionary<(Guid Organization, string ExternalId), CachedRoute> _entries = new();
    private readonly ConcurrentDictionary<Guid, long> _versions = new();

    /// <summary>The route (or null) of every external id, loading the unknown ones in one query.</summary>
    public async Task<Dictionary<string, CachedRoute>> GetAsync(
        NpgsqlConnection connection, NpgsqlTransaction? tx, Guid organizationId, IEnumerable<string> externalIds, CancellationToken ct)
    {
        var version = _versions.GetValueOrDefault(organizationId, -1);
        var routes = new Dictionary<string, CachedRoute>(StringComparer.Ordinal);
        List<string>? missing = null;
        foreach (var id in externalIds)
        {
            if (routes.ContainsKey(id)) continue;
            if (_entries.TryGetValue((organizationId, id), out var entry) && entry.Version == version) routes[id] = entry;
            else if (!(missing ??= []).Contains(id)) missing.Add(id);
        }
        if (missing is null) return routes;

        // The same rows the ingestion statement matches: the live subscription of a customer not deleted. The version is
        // read by the same statement, so it is the one these rows are current at.
        await using var command = new NpgsqlCommand("""
            SELECT o.routes_version, s.external_id, s.id, s.customer_id, s.plan_id, s.started_at, c.timezone, p."interval", s.billing_time, s.subscription_at
            FROM organizations o
            LEFT JOIN (subscriptions s
                       JOIN customers c ON c.id = s.customer_id AND c.deleted_at IS NULL
                       JOIN plans p ON p.id = s.plan_id)
                   ON s.organization_id = o.id AND s.status = 'active' AND s.external_id = ANY($2)
            WHERE o.id = $1
            """, connection, tx);
        command.Parameters.Add(new NpgsqlParameter { Value = organizationId });
        command.Parameters.Add(new NpgsqlParameter { Value = missing.ToArray() });
        var loaded = new Dictionary<string, SubscriptionRoute>(StringComparer.Ordinal);
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                version = reader.GetInt64(0);
                if (reader.IsDBNull(1)) continue;
                var timezone = reader.IsDBNull(6) ? null : reader.GetString(6);
                BillingNames.TryParseInterval(reader.GetString(7), out var interval);
                BillingNames.TryParseBillingTime(reader.GetString(8), out var billingTime);
                loaded[reader.GetString(1)] = new SubscriptionRoute(reader.GetGuid(2), reader.GetGuid(3), reader.GetGuid(4),
                    reader.GetFieldValue<DateTimeOffset>(5), SubscriptionViews.ZoneOf(timezone), interval, billingTime,
                    reader.GetFieldValue<DateTimeOffset>(9));
            }
        }

        if (_entries.Count > MaxEntries) _entries.Clear();
        _versions.AddOrUpdate(organizationId, version, (_, known) => Math.Max(known, version));
        foreach (var id in missing) routes[id] = _entries[(organizationId, id)] = new CachedRoute(loaded.GetValueOrDefault(id), version);
        return routes;
    }

    public void Forget(Guid organizationId, string externalId) => _entries.TryRemove((organizationId, externalId), out _);
}
