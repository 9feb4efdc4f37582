using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Wallets.Api.Data;
using Wallets.Api.Http.OpenApi;

namespace Wallets.Api.Features.Events;

/// <summary>An event as validated from `POST /events` or one item of `POST /events/batch`, ready to store.</summary>
/// <param name="ExternalSubscriptionId">'' when the event names only a customer.</param>
/// <param name="TargetWalletCode">'' when the event targets no wallet (DESIGN.md 13: top level or `properties`).</param>
public sealed record ParsedEvent(
    Guid Id,
    string TransactionId,
    string ExternalSubscriptionId,
    string? ExternalCustomerId,
    string Code,
    DateTimeOffset Timestamp,
    JsonElement Properties,
    decimal? PreciseTotalAmountCents,
    string TargetWalletCode);

/// <summary>What storing an event found: the active subscription (and its customer) it was matched to, if any.</summary>
public sealed record StoredEvent(ParsedEvent Event, Guid? SubscriptionId, Guid? CustomerId, DateTimeOffset CreatedAt);

public sealed record EventEnvelope(EventView Event);

public sealed record EventsEnvelope(IReadOnlyList<EventView> Events);

public sealed record EventsPage(IReadOnlyList<EventView> Events, Http.PageMeta Meta);

/// <summary>Lago's `EventObject`; `timestamp` keeps milliseconds (`2022-04-29T08:59:51.123Z`).</summary>
public sealed record EventView(
    Guid LagoId,
    string TransactionId,
    Guid? LagoCustomerId,
    string Code,
    string Timestamp,
    decimal? PreciseTotalAmountCents,
    object Properties,
    Guid? LagoSubscriptionId,
    string? ExternalSubscriptionId,
    string? ExternalCustomerId,
    DateTimeOffset CreatedAt)
{
    public static EventView From(StoredEvent stored)
    {
        var e = stored.Event;
        return new EventView(e.Id, e.TransactionId, stored.CustomerId, e.Code, Milliseconds(e.Timestamp), e.PreciseTotalAmountCents,
            e.Properties, stored.SubscriptionId, NullIfEmpty(e.ExternalSubscriptionId), e.ExternalCustomerId, stored.CreatedAt);
    }

    public static EventView From(Event e) =>
        new(e.Id, e.TransactionId, e.CustomerId, e.Code, Milliseconds(e.Timestamp), e.PreciseTotalAmountCents, e.Properties,
            e.SubscriptionId, NullIfEmpty(e.ExternalSubscriptionId), e.ExternalCustomerId, e.CreatedAt);

    private static string Milliseconds(DateTimeOffset at) =>
        at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static string? NullIfEmpty(string text) => text.Length == 0 ? null : text;
}

/// <summary>For Swagger: `POST /events` and `POST /events/batch` bodies (`EventInput`, `EventBatchInput`).</summary>
public sealed record EventInputObject(
    [property: Required] string TransactionId,
    string? ExternalSubscriptionId,
    string? ExternalCustomerId,
    [property: Required] string Code,
    [property: JsonPropertyName("timestamp"), WireType(typeof(long), typeof(DateTimeOffset))] JsonElement? Timestamp,
    Dictionary<string, JsonElement>? Properties,
    [property: WireType(typeof(decimal?))] string? PreciseTotalAmountCents,
    string? TargetWalletCode);

public sealed record EventRequest(EventInputObject Event);

/// <summary>Up to 100 events, each validated before any is stored.</summary>
public sealed record EventBatchRequest(IReadOnlyList<EventInputObject> Events);
