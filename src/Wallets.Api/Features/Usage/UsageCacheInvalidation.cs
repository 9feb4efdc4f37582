using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Wallets.Api.Data;
using Wallets.Api.Features.Events;

namespace Wallets.Api.Features.Usage;

/// <summary>
/// Whatever code saves a change through EF Core, this process's usage caches forget what it touched at once:
/// subscriptions drop their cached event route (<see cref="SubscriptionRoutes"/>), and any catalog change (plans,
/// charges, metrics, taxes, customers) empties the <see cref="PricingCatalog"/>. Checked before and after saving.
/// </summary>
public sealed class UsageCacheInvalidation(SubscriptionRoutes routes, PricingCatalog catalog) : SaveChangesInterceptor
{
    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Forget(eventData.Context);
        return result;
    }

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(
        DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Forget(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public override int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        Forget(eventData.Context);
        return result;
    }

    public override ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        Forget(eventData.Context);
        return ValueTask.FromResult(result);
    }

    private void Forget(DbContext? context)
    {
        if (context is null) return;
        var catalogChanged = false;
        foreach (var entry in context.ChangeTracker.Entries())
        {
            if (entry.State is not (EntityState.Added or EntityState.Modified or EntityState.Deleted)) continue;
            switch (entry.Entity)
            {
                case Subscription subscription:
                    routes.Forget(subscription.OrganizationId, subscription.ExternalId);
                    break;
                case Plan or Charge or BillableMetric or Tax or PlanTax or ChargeTax or CustomerTax or Customer:
                    catalogChanged = true;
                    break;
            }
        }
        if (catalogChanged) catalog.Invalidate();
    }
}
