using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Wallets.Api.Data;
using Wallets.Api.Features.Customers;
using Wallets.Api.Features.Webhooks;
using Wallets.Api.Http;

namespace Wallets.Api.Features.Subscriptions;

/// <summary>
/// `subscription.started` and `subscription.terminated`, in the caller's transaction: the subscription as the API
/// answers it, plus its `customer`, as Lago's webhook serializer includes it.
/// </summary>
public sealed class SubscriptionWebhooks(WalletsDbContext db, SubscriptionViews views, TimeProvider clock)
{
    public async Task EnqueueAsync(Subscription subscription, string webhookType, CancellationToken ct)
    {
        if (!await db.AnySubscribedAsync(subscription.OrganizationId, webhookType, ct)) return;
        var view = JsonSerializer.SerializeToNode(await views.OneAsync(subscription, ct), LagoJson.Options)!.AsObject();
        var customer = await db.Customers.IgnoreQueryFilters().FirstAsync(c => c.Id == subscription.CustomerId, ct);
        view["customer"] = JsonSerializer.SerializeToNode(CustomerView.From(customer), LagoJson.Options);
        await db.EnqueueAsync(new WebhookMessage(subscription.OrganizationId, webhookType, "subscription", view), clock.GetUtcNow(), ct);
    }
}
