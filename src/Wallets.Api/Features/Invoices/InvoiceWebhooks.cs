using Wallets.Api.Data;
using Wallets.Api.Features.Webhooks;

namespace Wallets.Api.Features.Invoices;

/// <summary>`invoice.*` webhooks: the invoices as the API answers them, in the caller's transaction.</summary>
public sealed class InvoiceWebhooks(WalletsDbContext db, InvoiceViews views, TimeProvider clock)
{
    public Task EnqueueAsync(Invoice invoice, string webhookType, CancellationToken ct) => EnqueueAsync([invoice], webhookType, ct);

    public async Task EnqueueAsync(IReadOnlyList<Invoice> invoices, string webhookType, CancellationToken ct)
    {
        if (invoices.Count == 0 || !await db.AnySubscribedAsync(invoices[0].OrganizationId, webhookType, ct)) return;
        var shown = await views.ManyAsync(invoices, ct);
        var messages = invoices.Select((invoice, i) => new WebhookMessage(invoice.OrganizationId, webhookType, "invoice", shown[i])).ToList();
        await db.EnqueueAsync(messages, clock.GetUtcNow(), ct);
    }
}
