using Wallets.Api.Features.Webhooks;

namespace Wallets.Api.Features.Events;

/// <summary>Lago's `event_error` object: the event and why it could not be used, `message` being the error as JSON text.</summary>
public sealed record EventErrorView(int Status, string Error, string Message, EventView Event);

/// <summary>The `event.error` webhooks of ingestion; the event statement writes them when its check holds.</summary>
internal static class EventErrors
{
    private const string TargetWalletNotFound = """{"target_wallet_code":["target_wallet_code_not_found"]}""";

    /// <summary>
    /// The body of the `event.error` sent if the event's target names no active wallet (the statement decides), or null
    /// for an event without a target or a subscription: most events, which then cost nothing here.
    /// </summary>
    public static string? TargetNotFound(Guid organizationId, ParsedEvent e, SubscriptionRoute? route, DateTimeOffset now)
    {
        if (e.TargetWalletCode.Length == 0 || route is null) return null;
        var view = EventView.From(new StoredEvent(e, route.SubscriptionId, route.CustomerId, now));
        return new WebhookMessage(organizationId, "event.error", "event_error", new EventErrorView(422, "Unprocessable entity", TargetWalletNotFound, view)).Payload();
    }
}
