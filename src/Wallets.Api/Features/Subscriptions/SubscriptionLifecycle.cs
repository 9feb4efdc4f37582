using Wallets.Api.Data;
using Wallets.Api.Features.Invoices;

namespace Wallets.Api.Features.Subscriptions;

/// <summary>How a subscription ends, wherever it is ended from (its own DELETE, or its plan's deletion).</summary>
public sealed class SubscriptionLifecycle(SubscriptionInvoicing invoicing)
{
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
            await SubscriptionTerminatedAsync(subscription, ct);
        }
    }

    /// <summary>
    /// Bills the terminated subscription's final (partial) period, and any period the billing job has not billed yet,
    /// as Lago's BillSubscriptionJob does on termination, inside the terminating transaction.
    /// </summary>
    public Task SubscriptionTerminatedAsync(Subscription subscription, CancellationToken ct) => invoicing.BillTerminationAsync(subscription, ct);
}
