using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Wallets.Api.Data;
using Wallets.Api.Http;
using Wallets.Api.Http.OpenApi;

namespace Wallets.Api.Features.Events;

/// <summary>Usage events (api-contract.md §7): one or a batch of up to 100, idempotent by transaction_id; listing and lookup.</summary>
public static class EventEndpoints
{
    public static RouteGroupBuilder MapEventEndpoints(this RouteGroupBuilder api)
    {
        var events = api.MapGroup("/events").WithTags("Events");
        events.MapPost("/", CreateEvent).WithName("createEvent").Accepts<EventRequest>("application/json").Produces<EventEnvelope>();
        events.MapPost("/batch", CreateBatchEvents).WithName("createBatchEvents").Accepts<EventBatchRequest>("application/json").Produces<EventsEnvelope>();
        events.MapGet("/", FindAllEvents).WithName("findAllEvents")
            .WithQuery("external_subscription_id", "Only this subscription's events.")
            .WithQuery("code", "Only events of this billable metric code.")
            .WithQuery("timestamp_from", "ISO 8601: events at or after.")
            .WithQuery("timestamp_to", "ISO 8601: events at or before.")
            .WithQuery("timestamp_from_started_at", "`true`: events since the subscription started (needs `external_subscription_id`).").Produces<EventsPage>();
        events.MapGet("/{transaction_id}", FindEvent).WithName("findEvent").Produces<EventEnvelope>();
        return api;
    }

    /// <summary>Records a usage event; a `transaction_id` already recorded is a 422.</summary>
    private static async Task<IResult> CreateEvent(HttpRequest request, EventIngestion ingestion, TimeProvider clock, CancellationToken ct)
    {
        var body = await LagoBody.ReadDocumentAsync(request);
        if (!body.IsOk) return body.Error!.ToResult();
        using var document = body.Value!;
        if (document.RootElement.ValueKind != JsonValueKind.Object || !document.RootElement.TryGetProperty("event", out var item) || LagoBody.IsBlank(item))
            return LagoError.MissingRoot("event").ToResult();

        var (parsed, errors) = EventParser.Parse(item, clock.GetUtcNow());
        if (errors is not null) return LagoError.Validation(errors).ToResult();
        var stored = await ingestion.IngestOneAsync(parsed!, request.Headers.ContainsKey(IdempotencyFilter.Header), ct);
        return stored.ToHttp(s => new EventEnvelope(EventView.From(s)));
    }

    /// <summary>Lago's batch: every item is validated before any is stored, errors are keyed by the item's index.</summary>
    private static async Task<IResult> CreateBatchEvents(HttpRequest request, EventIngestion ingestion, TimeProvider clock, CancellationToken ct)
    {
        var body = await LagoBody.ReadDocumentAsync(request);
        if (!body.IsOk) return body.Error!.ToResult();
        using var document = body.Value!;
        var root = document.RootElement;
        // Lago permits rather than requires `events`: missing, null or empty all mean "no events".
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("events", out var items)
            || items.ValueKind != JsonValueKind.Array || items.GetArrayLength() == 0)
            return LagoError.Validation("events", "no_events").ToResult();
        if (items.GetArrayLength() > EventParser.MaxBatchLength) return LagoError.Validation("events", "too_many_events").ToResult();

        var now = clock.GetUtcNow();
        var parsed = new List<ParsedEvent>();
        var errors = new SortedDictionary<int, Dictionary<string, string[]>>();
        var seen = new HashSet<(string, string)>();
        var index = 0;
        foreach (var item in items.EnumerateArray())
        {
            var (e, itemErrors) = EventParser.Parse(item, now);
            if (e is not null && !seen.Add((e.ExternalSubscriptionId, e.TransactionId)))
                itemErrors = new() { ["transaction_id"] = ["value_already_exist"] };
            if (itemErrors is not null) errors[index] = itemErrors;
            else parsed.Add(e!);
            index++;
        }
        if (errors.Count > 0)
        {
            return LagoError.ValidationByItem(errors.ToDictionary(
                p => p.Key.ToString(CultureInfo.InvariantCulture), IReadOnlyDictionary<string, string[]> (p) => p.Value)).ToResult();
        }

        var stored = await ingestion.IngestBatchAsync(parsed, request.Headers.ContainsKey(IdempotencyFilter.Header), ct);
        return stored.ToHttp(s => new EventsEnvelope(s.Select(EventView.From).ToList()));
    }

    /// <summary>Lists events, newest first (filters: `external_subscription_id`, `code`, `timestamp_from`, `timestamp_to`).</summary>
    private static async Task<IResult> FindAllEvents(HttpRequest request, WalletsDbContext db, CancellationToken ct)
    {
        var query = db.Events.AsNoTracking();
        var q = request.Query;
        if (q["code"].ToString() is { Length: > 0 } code) query = query.Where(e => e.Code == code);
        var subscriptionId = q["external_subscription_id"].ToString();
        if (subscriptionId.Length > 0) query = query.Where(e => e.ExternalSubscriptionId == subscriptionId);

        if (bool.TryParse(q["timestamp_from_started_at"], out var fromStart) && fromStart)
        {
            if (subscriptionId.Length == 0) return LagoError.Validation("external_subscription_id", "value_is_mandatory").ToResult();
            // Lago: the current subscription with that external id (a live one first, then the latest terminated).
            var startedAt = await db.Subscriptions.Where(s => s.ExternalId == subscriptionId)
                .OrderByDescending(s => s.TerminatedAt == null).ThenByDescending(s => s.TerminatedAt).ThenByDescending(s => s.StartedAt)
                .Select(s => s.StartedAt).FirstOrDefaultAsync(ct);
            if (startedAt is { } from) query = query.Where(e => e.Timestamp >= from);
        }
        else if (q["timestamp_from"].ToString() is { Length: > 0 } fromText)
        {
            if (!IsoTime.TryParse(fromText, out var from)) return LagoError.Validation("timestamp_from", "invalid_date").ToResult();
            query = query.Where(e => e.Timestamp >= from);
        }
        if (q["timestamp_to"].ToString() is { Length: > 0 } toText)
        {
            if (!IsoTime.TryParse(toText, out var to)) return LagoError.Validation("timestamp_to", "invalid_date").ToResult();
            query = query.Where(e => e.Timestamp <= to);
        }

        var page = await PageRequest.From(request).ToPageAsync(query.OrderByDescending(e => e.Timestamp).ThenBy(e => e.TransactionId), ct);
        return Results.Json(new EventsPage(page.Rows.Select(EventView.From).ToList(), page.Meta), LagoJson.Options);
    }

    /// <summary>An event by its transaction id.</summary>
    private static async Task<IResult> FindEvent(string transaction_id, WalletsDbContext db, CancellationToken ct)
    {
        var found = await db.Events.AsNoTracking().Where(e => e.TransactionId == transaction_id)
            .OrderBy(e => e.CreatedAt).ThenBy(e => e.Id).FirstOrDefaultAsync(ct);
        return found is null
            ? LagoError.NotFound("event").ToResult()
            : Results.Json(new EventEnvelope(EventView.From(found)), LagoJson.Options);
    }
}
