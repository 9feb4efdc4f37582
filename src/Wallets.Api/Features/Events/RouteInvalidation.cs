using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Wallets.Api.Data;

namespace Wallets.Api.Features.Events;

/// <summary>
/// Whatever writes a subscription (create, start, terminate, a plan's deletion, invoicing), this process stops using
/// its cached event route at once. Only a shortcut: the ingestion statement checks every route anyway.
/// </summary>
public sealed class RouteInvalidation(SubscriptionRoutes routes) : SaveChangesInterceptor
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

    private void Forget(DbContext? context)
    {
        if (context is null) return;
        foreach (var entry in context.ChangeTracker.Entries<Subscription>())
            if (entry.State is EntityState.Added or EntityState.Modified or EntityState.Deleted)
                routes.Forget(entry.Entity.OrganizationId, entry.Entity.ExternalId);
    }
}
