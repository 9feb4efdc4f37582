using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Wallets.Api.Data;
using Wallets.Domain.Billing;

namespace Wallets.Api.Features.Usage;

/// <summary>What pricing a subscription's usage needs: its plan (live charges, metrics, taxes), its customer (taxes) and the organization's default taxes.</summary>
public sealed record PricingInputs(IReadOnlyDictionary<Guid, Plan> Plans, IReadOnlyDictionary<Guid, Customer> Customers, IReadOnlyList<TaxRate> OrganizationTaxes);

/// <summary>
/// A per-process cache of plans (with charges, metrics and taxes) and organization taxes for the real-time wallet
/// balance, so a wallet read costs no catalog query (customers' own taxes are read with the usage, exactly).
/// Any change this process saves to plans, charges, metrics, taxes or customers empties it at once
/// (<see cref="UsageCacheInvalidation"/>); a change made by another replica shows within <see cref="Lifetime"/>.
/// That is acceptable for a projected balance: prices change rarely, and invoices and `current_usage` never read
/// this cache (they price from the database every time).
/// </summary>
public sealed class PricingCatalog(IServiceScopeFactory scopes)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(10);
    private const int MaxEntries = 50_000;

    private readonly ConcurrentDictionary<(Guid Organization, Guid Id), (object Value, long Until, long Generation)> _entries = new();
    private long _generation;

    /// <summary>Forgets everything (a catalog change was saved).</summary>
    public void Invalidate()
    {
        Interlocked.Increment(ref _generation);
        _entries.Clear();
    }

    /// <summary>The plans and the organization's default taxes, with the given customers (read by the caller).</summary>
    /// <param name="inTransaction">
    /// The request's context while it holds a transaction: what is missing is read through it, on the connection it already
    /// holds rather than a second one, and not kept (the transaction may see changes of its own that never commit).
    /// </param>
    public async Task<PricingInputs> GetAsync(Guid organizationId, IReadOnlyCollection<Guid> planIds, IReadOnlyDictionary<Guid, Customer> customers,
        WalletsDbContext? inTransaction, CancellationToken ct)
    {
        var generation = Interlocked.Read(ref _generation);
        var plans = Cached<Plan>(organizationId, planIds, out var missingPlans);
        var taxes = Cached<List<TaxRate>>(organizationId, [organizationId], out var missingTaxes);
        if (missingPlans.Count > 0 || missingTaxes.Count > 0)
        {
            using var scope = inTransaction is null ? scopes.CreateScope() : null;
            var db = inTransaction ?? scope!.ServiceProvider.GetRequiredService<WalletsDbContext>();
            var keep = inTransaction is null;
            if (missingPlans.Count > 0)
            {
                foreach (var plan in await UsageCalculator.LoadPlansAsync(db, organizationId, missingPlans, ct))
                {
                    // Charge properties are JSON nodes that materialize lazily, which is not thread-safe: read them
                    // once here, so the cached plan is only ever read afterwards.
                    foreach (var charge in plan.Charges) ChargePrices.For(charge);
                    plans[plan.Id] = keep ? Store(organizationId, plan.Id, plan, generation) : plan;
                }
            }
            if (missingTaxes.Count > 0)
            {
                var loaded = await UsageCalculator.LoadOrganizationTaxesAsync(db, organizationId, ct);
                taxes[organizationId] = keep ? Store(organizationId, organizationId, loaded, generation) : loaded;
            }
        }
        return new PricingInputs(plans, customers, taxes[organizationId]);
    }

    private Dictionary<Guid, T> Cached<T>(Guid organizationId, IReadOnlyCollection<Guid> ids, out List<Guid> missing) where T : class
    {
        var now = Environment.TickCount64;
        var found = new Dictionary<Guid, T>();
        missing = [];
        foreach (var id in ids)
        {
            if (_entries.TryGetValue((organizationId, id), out var entry) && entry.Until > now && entry.Value is T value) found[id] = value;
            else missing.Add(id);
        }
        return found;
    }

    // Kept only if no invalidation happened while it was being read, so a stale read never outlives a change.
    private T Store<T>(Guid organizationId, Guid id, T value, long generation) where T : class
    {
        if (_entries.Count > MaxEntries) _entries.Clear();
        if (Interlocked.Read(ref _generation) != generation) return value;
        _entries[(organizationId, id)] = (value, Environment.TickCount64 + (long)Lifetime.TotalMilliseconds, generation);
        if (Interlocked.Read(ref _generation) != generation) _entries.TryRemove((organizationId, id), out _);
        return value;
    }
}
