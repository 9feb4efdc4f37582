using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Wallets.Api.Data;
using Wallets.Api.Features.Invoices;
using Wallets.Domain.Allocation;

namespace Wallets.Api.Features.Subscriptions;

/// <summary>How a subscription ends, wherever it is ended from (its own DELETE, or its plan's or customer's deletion).</summary>
public sealed class SubscriptionLifecycle(WalletsDbContext db, SubscriptionInvoicing invoicing, SubscriptionWebhooks webhooks)
{
    /// <summary>Ends every live (active or pending) subscription of the customer, as <see cref="EndAllAsync"/> does.</summary>
    public Task EndAllOfCustomerAsync(Customer customer, DateTimeOffset now, CancellationToken ct) =>
        EndAllAsync(customer.OrganizationId, "customer_id", customer.Id, now, ct);

    /// <summary>Ends every live (active or pending) subscription to the plan, as <see cref="EndAllAsync"/> does.</summary>
    public Task EndAllOfPlanAsync(Plan plan, DateTimeOffset now, CancellationToken ct) =>
        EndAllAsync(plan.OrganizationId, "plan_id", plan.Id, now, ct);

    /// <summary>
    /// Takes the locks in the order every termination and the billing job take them: the organization's events lock,
    /// then all the live subscriptions' rows (the job skips rows held here), then their customers, ascending as the job
    /// takes them (each termination takes its customer's). Ending them one at a time instead, a termination could hold
    /// one customer while waiting for a subscription the job had claimed, and the job wait for that customer.
    /// </summary>
    private async Task EndAllAsync(Guid organizationId, string column, Guid id, DateTimeOffset now, CancellationToken ct)
    {
        await db.LockEventsAsync(organizationId, ct);
        // The column is one of the two above; the id is a parameter.
        var live = await db.Subscriptions.FromSql(FormattableStringFactory.Create(
                "SELECT * FROM subscriptions WHERE " + column + " = {0} AND status IN ('active', 'pending') ORDER BY id FOR UPDATE", id))
            .ToListAsync(ct);
        foreach (var subscription in live.OrderBy(s => s.CustomerId, UuidOrder.Instance).ThenBy(s => s.StartedAt).ThenBy(s => s.CreatedAt))
            await EndAsync(subscription, now, ct);
    }

    /// <summary>
    /// Lago's TerminateService: an active subscription is terminated now, a pending one (not started yet) is canceled.
    /// The caller saves, in the same transaction as whatever <see cref="SubscriptionTerminatedAsync"/> writes.
    /// </summary>
    public async Task EndAsync(Subscription subscription, DateTimeOffset now, CancellationToken ct)
    {
        subscription.UpdatedAt = now;
        if (subscription.Status == SubscriptionStatus.Pending)
        {
            subscription.Status = SubscriptionStatus.Canceled;
            subscription.CanceledAt = now;
        }
        else if (subscription.Status == SubscriptionStatus.Active)
        {
            subscription.Status = SubscriptionStatus.Terminated;
            subscription.TerminatedAt = now;
            await webhooks.EnqueueAsync(subscription, "subscription.terminated", ct);
            await SubscriptionTerminatedAsync(subscription, ct);
        }
    }

    /// <summary>
    /// Bills the terminated subscription's final (partial) period, and any period the billing job has not billed yet,
    /// as Lago's BillSubscriptionJob does on termination, inside the terminating transaction.
    /// </summary>
    public Task SubscriptionTerminatedAsync(Subscription subscription, CancellationToken ct) => invoicing.BillTerminationAsync(subscription, ct);
}
