namespace Wallets.Api.Features.Webhooks;

/// <summary>The `event_types` an endpoint may subscribe to: what this service sends, and what the next features will.</summary>
public static class WebhookEventTypes
{
    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal)
    {
        "customer.created", "customer.updated",
        "event.error",
        "invoice.created", "invoice.one_off_created", "invoice.paid_credit_added", "invoice.voided", "invoice.payment_status_updated",
        "subscription.started", "subscription.terminated",
        "wallet.created", "wallet.updated", "wallet.terminated", "wallet.depleted_ongoing_balance",
        "wallet_transaction.created", "wallet_transaction.updated", "wallet_transaction.payment_failure",
        // Coming with wallet alerts and holds.
        "alert.triggered", "hold.created", "hold.captured", "hold.released", "hold.expired",
    };
}
