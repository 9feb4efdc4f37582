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
/// this cache (they price from the database every time). In an entry's last <see cref="RefreshAhead"/>, the first read
/// that sees it has it read again in the background (one refresh per entry at a time), so while an entry is in use it
/// never expires and no read waits for it.
/// </summary>
public sealed class PricingCatalog(IServiceScopeFactory scopes, TimeProvider time, ILogger<PricingCatalog> logger)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan RefreshAhead = TimeSpan.FromSeconds(2);
    private const int MaxEntries = 50_000;

    private readonly ConcurrentDictionary<(Guid Organization, Guid Id), (object Value, long Until, long Generation)> _entries = new();
    private readonly ConcurrentDictionary<(Guid Organization, Guid Id), byte> _refreshing = new();
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
                foreach (var plan in await LoadPlansAsync(db, organizationId, missingPlans, ct))
                    plans[plan.Id] = keep ? Store(organizationId, plan.Id, plan, generation) : plan;
            }
            if (missingTaxes.Count > 0)
            {
                var loaded = await UsageCalculator.LoadOrganizationTaxesAsync(db, organizationId, ct);
                taxes[organizationId] = keep ? Store(organizationId, organizationId, loaded, generation) : loaded;
            }
        }
        return new PricingInputs(plans, customers, taxes[organizationId]);
    }

    private static async Task<List<Plan>> LoadPlansAsync(WalletsDbContext db, Guid organizationId, IReadOnlyCollection<Guid> ids, CancellationToken ct)
    {
        var plans = await UsageCalculator.LoadPlansAsync(db, organizationId, ids, ct);
        // Charge properties are JSON nodes that materialize lazily, which is not thread-safe: read them once here, so
        // the cached plan is only ever read afterwards.
        foreach (var charge in plans.SelectMany(p => p.Charges)) ChargePrices.For(charge);
        return plans;
    }

    private Dictionary<Guid, T> Cached<T>(Guid organizationId, IReadOnlyCollection<Guid> ids, out List<Guid> missing) where T : class
    {
        var now = Now;
        var found = new Dictionary<Guid, T>();
        missing = [];
        foreach (var id in ids)
        {
            if (_entries.TryGetValue((organizationId, id), out var entry) && entry.Until > now && entry.Value is T value)
            {
                found[id] = value;
                if (entry.Until - now < (long)RefreshAhead.TotalMilliseconds) Refresh(organizationId, id, value is Plan);
            }
            else missing.Add(id);
        }
        return found;
    }

    /// <summary>Reads an entry again in the background, unless that is already under way.</summary>
    private void Refresh(Guid organizationId, Guid id, bool isPlan)
    {
        if (!_refreshing.TryAdd((organizationId, id), 0)) return;
        _ = Task.Run(async () =>
        {
            try
            {
                var generation = Interlocked.Read(ref _generation);
                using var scope = scopes.CreateScope();
                var db = scope.ServiceProvider.GetRequiredService<WalletsDbContext>();
                if (isPlan)
                {
                    foreach (var plan in await LoadPlansAsync(db, organizationId, [id], CancellationToken.None)) Store(organizationId, id, plan, generation);
                }
                else Store(organizationId, id, await UsageCalculator.LoadOrganizationTaxesAsync(db, organizationId, CancellationToken.None), generation);
            }
            catch (Exception e)
            {
                // The entry expires as it would have; the next read loads it.
                logger.LogWarning(e, "Refreshing the pricing catalog's entry {Id} failed", id);
            }
            finally
            {
                _refreshing.TryRemove((organizationId, id), out _);
            }
        });
    }

    private long Now => (long)time.GetElapsedTime(0).TotalMilliseconds;

    // Kept only if no invalidation happened while it was being read, so a stale read never outlives a change.
    private T Store<T>(Guid organizationId, Guid id, T value, long generation) where T : class
    {
        if (_entries.Count > MaxEntries) _entries.Clear();
        if (Interlocked.Read(ref _generation) != generation) return value;
        _entries[(organizationId, id)] = (value, Now + (long)Lifetime.TotalMilliseconds, generation);
        if (Interlocked.Read(ref _generation) != generation) _entries.TryRemove((organizationId, id), out _);
        return value;
    }
}
