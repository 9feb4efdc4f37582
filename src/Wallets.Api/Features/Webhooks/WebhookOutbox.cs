using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using NpgsqlTypes;
using Wallets.Api.Data;
using Wallets.Api.Http;

namespace Wallets.Api.Features.Webhooks;

/// <summary>
/// A webhook to send: Lago's `webhook_type` (e.g. `wallet.created`), its `object_type` (the payload's root key, e.g.
/// `wallet`) and the object as the API serializes it.
/// </summary>
public sealed record WebhookMessage(Guid OrganizationId, string WebhookType, string ObjectType, object Object)
{
    /// <summary>Lago's body: `{webhook_type, object_type, organization_id, &lt;object_type&gt;: {...}}`.</summary>
    public string Payload()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("webhook_type", WebhookType);
            json.WriteString("object_type", ObjectType);
            json.WriteString("organization_id", OrganizationId);
            json.WritePropertyName(ObjectType);
            JsonSerializer.Serialize(json, Object, Object.GetType(), LagoJson.Options);
            json.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }
}

/// <summary>
/// The only writer of the outbox (the `webhooks` table): one delivery row per endpoint of the organization that
/// subscribes to the message's type, in the transaction that makes the change. Nothing is written when no endpoint
/// wants it. The dispatcher delivers the rows after commit.
/// </summary>
public static class WebhookOutbox
{
    // Fans each message out to its organization's subscribed endpoints (event_types NULL = all) in one statement.
    private static readonly string EnqueueSql = FanOutSql("""
        SELECT m.* FROM unnest($1::uuid[], $2::text[], $3::text[], $4::json[]) WITH ORDINALITY AS m (organization_id, webhook_type, object_type, payload, n)
        """, "$5");

    /// <summary>
    /// The INSERT of the outbox rows for messages a query makes inside the change's statement (its columns:
    /// organization_id, webhook_type, object_type, payload, n for the order), each to every subscribed endpoint;
    /// <paramref name="now"/> is the SQL of the time.
    /// </summary>
    public static string FanOutSql(string messages, string now) => $"""
        INSERT INTO webhooks (id, organization_id, webhook_endpoint_id, webhook_type, object_type, payload, next_attempt_at, created_at, updated_at)
        SELECT uuid_v7(), e.organization_id, e.id, m.webhook_type, m.object_type, m.payload, {now}, {now}, {now}
        FROM ({messages}) AS m
        JOIN webhook_endpoints e ON e.organization_id = m.organization_id AND (e.event_types IS NULL OR m.webhook_type = ANY (e.event_types))
        ORDER BY m.n
        {LockEndpoints}
        """;

    /// <summary>
    /// What every writer of the outbox ends the SELECT of its rows with, the endpoints joined as `e`: they are locked
    /// as a foreign key's check would lock them (the table has none: a trigger per row cost a third of writing it), so
    /// a deletion of one waits for the rows and then deletes them with it, and a deleted one gets no row.
    /// </summary>
    public const string LockEndpoints = "FOR KEY SHARE OF e";

    /// <summary>The statement for a raw batch (group commits): add it to the batch that writes the changes, before its COMMIT.</summary>
    public static NpgsqlBatchCommand Command(IReadOnlyList<WebhookMessage> messages, DateTimeOffset now)
    {
        var command = new NpgsqlBatchCommand(EnqueueSql);
        command.Parameters.Add(new NpgsqlParameter { Value = messages.Select(m => m.OrganizationId).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = messages.Select(m => m.WebhookType).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = messages.Select(m => m.ObjectType).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = messages.Select(m => m.Payload()).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Json });
        command.Parameters.Add(new NpgsqlParameter { Value = now });
        return command;
    }

    /// <summary>
    /// Writes the messages inside the DbContext's open transaction (a handler's), so they commit or roll back with its
    /// change. Call it after the change is saved, so each object is serialized as it was committed.
    /// </summary>
    public static async Task EnqueueAsync(this WalletsDbContext db, IReadOnlyList<WebhookMessage> messages, DateTimeOffset now, CancellationToken ct)
    {
        if (messages.Count == 0) return;
        if (db.Database.CurrentTransaction is null)
            throw new InvalidOperationException("Webhooks are written in the transaction of the change they report.");
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        await using var batch = new NpgsqlBatch(connection) { Transaction = (NpgsqlTransaction)db.Database.CurrentTransaction.GetDbTransaction() };
        batch.BatchCommands.Add(Command(messages, now));
        await batch.ExecuteNonQueryAsync(ct);
    }

    public static Task EnqueueAsync(this WalletsDbContext db, WebhookMessage message, DateTimeOffset now, CancellationToken ct) =>
        db.EnqueueAsync([message], now, ct);

    /// <summary>Whether any endpoint of the organization takes this type: lets a caller skip building a costly object.</summary>
    public static async Task<bool> AnySubscribedAsync(this WalletsDbContext db, Guid organizationId, string webhookType, CancellationToken ct) =>
        await db.WebhookEndpoints.IgnoreQueryFilters()
            .AnyAsync(e => e.OrganizationId == organizationId && (e.EventTypes == null || e.EventTypes.Contains(webhookType)), ct);
}
