using System.Collections.Concurrent;
using Npgsql;
using Wallets.Api.Features.Subscriptions;
using Wallets.Domain.Billing;

namespace Wallets.Api.Features.Events;

/// <summary>Where an event's usage goes: the active subscription an external id names, and what its billing periods depend on.</summary>
/// <param name="Timezone">The customer's time zone as stored (null = UTC); the ingestion statement checks it is still the same.</param>
public sealed record SubscriptionRoute(
    Guid SubscriptionId, Guid CustomerId, string? Timezone, TimeZoneInfo Zone, PlanInterval Interval, BillingTime BillingTime, DateTimeOffset SubscriptionAt)
{
    /// <summary>The usage rows' key: the start of the full billing period containing <paramref name="at"/>.</summary>
    public DateTimeOffset PeriodFrom(DateTimeOffset at) => BillingPeriod.Containing(at, Interval, BillingTime, SubscriptionAt, Zone).From;
}

/// <summary>
/// A per-process cache of <see cref="SubscriptionRoute"/>s (and of "no active subscription"), so the hot path sends
/// only the ingestion statement. It is never trusted blindly: that statement re-reads the active subscription and the
/// customer's time zone, aggregates only events whose route still matches, and reports the others, which are routed
/// again after a reload. So a stale entry (another replica terminated or created a subscription, a time zone changed)
/// costs one more round trip, never a wrong count. The period inputs it holds (plan interval, billing time, start
/// date) cannot change while a subscription is active. Entries live a minute, and this process forgets the ones it
/// changes (<see cref="Forget"/>) so it does not even pay that round trip.
/// </summary>
public sealed class SubscriptionRoutes
{
    private const long LifetimeMs = 60_000;
    private const int MaxEntries = 200_000;
    private readonly ConcurrentDictionary<(Guid Organization, string ExternalId), (SubscriptionRoute? Route, long Until)> _entries = new();

    /// <summary>The route (or null) of every external id, loading the unknown ones in one query.</summary>
    public async Task<Dictionary<string, SubscriptionRoute?>> GetAsync(
        NpgsqlConnection connection, NpgsqlTransaction? tx, Guid organizationId, IEnumerable<string> externalIds, CancellationToken ct)
    {
        var now = Environment.TickCount64;
        var routes = new Dictionary<string, SubscriptionRoute?>(StringComparer.Ordinal);
        List<string>? missing = null;
        foreach (var id in externalIds)
        {
            if (routes.ContainsKey(id)) continue;
            if (id.Length == 0) routes[id] = null;
            else if (_entries.TryGetValue((organizationId, id), out var entry) && entry.Until > now) routes[id] = entry.Route;
            else if (!(missing ??= []).Contains(id)) missing.Add(id);
        }
        if (missing is null) return routes;

        foreach (var id in missing) routes[id] = null;
        // The same rows the ingestion statement matches: the live subscription of a customer not deleted.
        await using var command = new NpgsqlCommand("""
            SELECT s.external_id, s.id, s.customer_id, c.timezone, p."interval", s.billing_time, s.subscription_at
            FROM subscriptions s
            JOIN customers c ON c.id = s.customer_id AND c.deleted_at IS NULL
            JOIN plans p ON p.id = s.plan_id
            WHERE s.organization_id = $1 AND s.status = 'active' AND s.external_id = ANY($2)
            """, connection, tx);
        command.Parameters.Add(new NpgsqlParameter { Value = organizationId });
        command.Parameters.Add(new NpgsqlParameter { Value = missing.ToArray() });
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                var timezone = reader.IsDBNull(3) ? null : reader.GetString(3);
                BillingNames.TryParseInterval(reader.GetString(4), out var interval);
                BillingNames.TryParseBillingTime(reader.GetString(5), out var billingTime);
                routes[reader.GetString(0)] = new SubscriptionRoute(reader.GetGuid(1), reader.GetGuid(2), timezone,
                    SubscriptionViews.ZoneOf(timezone), interval, billingTime, reader.GetFieldValue<DateTimeOffset>(6));
            }
        }

        if (_entries.Count > MaxEntries) _entries.Clear();
        foreach (var id in missing) _entries[(organizationId, id)] = (routes[id], now + LifetimeMs);
        return routes;
    }

    public void Forget(Guid organizationId, string externalId) => _entries.TryRemove((organizationId, externalId), out _);
}
