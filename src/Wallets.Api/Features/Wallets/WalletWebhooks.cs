using Wallets.Api.Data;
using Wallets.Api.Features.Webhooks;

namespace Wallets.Api.Features.Wallets;

/// <summary>`wallet.*` webhooks: the wallet as the API answers it (with its real-time ongoing balance), in the caller's transaction.</summary>
public sealed class WalletWebhooks(WalletsDbContext db, OngoingBalances ongoing, TimeProvider clock)
{
    public async Task EnqueueAsync(Wallet wallet, string webhookType, CancellationToken ct)
    {
        // The ongoing balance costs a usage read: only made when some endpoint takes the type.
        if (!await db.AnySubscribedAsync(wallet.OrganizationId, webhookType, ct)) return;
        var usage = await ongoing.UsageOfAsync([wallet], db, ct);
        var view = WalletView.From(wallet, wallet.Customer.ExternalId, usage.GetValueOrDefault(wallet.Id));
        await db.EnqueueAsync(new WebhookMessage(wallet.OrganizationId, webhookType, "wallet", view), clock.GetUtcNow(), ct);
    }
}
