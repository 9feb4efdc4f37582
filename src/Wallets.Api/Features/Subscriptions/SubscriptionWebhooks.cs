using Wallets.Api.Data;
using Wallets.Api.Features.Webhooks;

namespace Wallets.Api.Features.Subscriptions;

/// <summary>`subscription.started` and `subscription.terminated`: the subscription as the API answers it, in the caller's transaction.</summary>
public sealed class SubscriptionWebhooks(WalletsDbContext db, SubscriptionViews views, TimeProvider clock)
{
    public async Task EnqueueAsync(Subscription subscription, string webhookType, CancellationToken ct)
    {
        if (!await db.AnySubscribedAsync(subscription.OrganizationId, webhookType, ct)) return;
        var view = await views.OneAsync(subscription, ct);
        await db.EnqueueAsync(new WebhookMessage(subscription.OrganizationId, webhookType, "subscription", view), clock.GetUtcNow(), ct);
    }
}
