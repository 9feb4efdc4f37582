using Npgsql;

namespace Wallets.Api.Features.Webhooks;

/// <summary>
/// A claimed delivery: what to send where, and the lease that proves the claim is still ours. The body and the HMAC
/// key are the stored UTF-8 bytes, sent and signed as they are.
/// </summary>
public sealed record ClaimedWebhook(
    Guid Id, Guid EndpointId, string Url, string SignatureAlgo, byte[] HmacKey, byte[] Payload, int Attempts, DateTimeOffset CreatedAt, DateTimeOffset Lease);

/// <summary>The outcome of one attempt. NextAttemptAt null and Succeeded false: given up (failed).</summary>
public sealed record DeliveryOutcome(ClaimedWebhook Webhook, bool Succeeded, int? HttpStatus, string? Error, DateTimeOffset AttemptedAt, DateTimeOffset? NextAttemptAt);

/// <summary>The dispatcher's SQL: claim due rows in batches, record outcomes in batches.</summary>
public sealed class WebhookDeliveries(NpgsqlDataSource dataSource)
{
    // Due rows, oldest first, at most `room` per endpoint (each endpoint's free in-flight slots in this process, the
    // default for the others; full endpoints are left out), locked with SKIP LOCKED so several processes never claim
    // the same row, and leased: next_attempt_at moves to the lease's end, so a row whose claimer died comes back then.
    private const string ClaimSql = """
        WITH due AS (
            SELECT id, webhook_endpoint_id, next_attempt_at FROM webhooks
            WHERE status = 'pending' AND next_attempt_at <= $1 AND webhook_endpoint_id <> ALL ($3)
            ORDER BY next_attempt_at LIMIT $4
        ), ranked AS (
            SELECT d.id, row_number() OVER (PARTITION BY d.webhook_endpoint_id ORDER BY d.next_attempt_at, d.id) AS n,
                   COALESCE(room.free, $5) AS free
            FROM due d LEFT JOIN unnest($6::uuid[], $7::int[]) AS room (endpoint_id, free) ON room.endpoint_id = d.webhook_endpoint_id
        ), locked AS (
            SELECT w.id FROM webhooks w JOIN ranked r ON r.id = w.id
            WHERE r.n <= r.free AND w.status = 'pending' AND w.next_attempt_at <= $1
            FOR UPDATE OF w SKIP LOCKED
        )
        UPDATE webhooks w SET next_attempt_at = $2
        FROM locked l, webhook_endpoints e, organizations o
        WHERE w.id = l.id AND e.id = w.webhook_endpoint_id AND o.id = w.organization_id
        RETURNING w.id, w.webhook_endpoint_id, e.webhook_url, e.signature_algo, o.hmac_key, w.payload, w.attempts, w.created_at
        """;

    // Only while the lease is ours (a retry requested meanwhile, or a lease that expired and was claimed again, wins).
    private const string RecordSql = """
        UPDATE webhooks w SET status = r.status, attempts = w.attempts + 1, next_attempt_at = r.next_attempt_at,
            last_attempt_at = r.attempted_at, http_status = r.http_status, last_error = r.last_error, updated_at = r.attempted_at
        FROM unnest($1::uuid[], $2::timestamptz[], $3::text[], $4::timestamptz[], $5::timestamptz[], $6::int[], $7::text[])
            AS r (id, lease, status, next_attempt_at, attempted_at, http_status, last_error)
        WHERE w.id = r.id AND w.status = 'pending' AND w.next_attempt_at = r.lease
        """;

    /// <param name="busy">Endpoints with deliveries in flight here, and how many more each may take (0: none).</param>
    public async Task<List<ClaimedWebhook>> ClaimAsync(
        int limit, int perEndpoint, IReadOnlyDictionary<Guid, int> busy, DateTimeOffset now, TimeSpan lease, CancellationToken ct)
    {
        var until = Microseconds(now + lease);
        await using var command = dataSource.CreateCommand(ClaimSql);
        command.Parameters.Add(new NpgsqlParameter { Value = now });
        command.Parameters.Add(new NpgsqlParameter { Value = until });
        command.Parameters.Add(new NpgsqlParameter { Value = busy.Where(b => b.Value <= 0).Select(b => b.Key).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = limit });
        command.Parameters.Add(new NpgsqlParameter { Value = perEndpoint });
        command.Parameters.Add(new NpgsqlParameter { Value = busy.Keys.ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = busy.Values.ToArray() });
        var claimed = new List<ClaimedWebhook>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            claimed.Add(new ClaimedWebhook(reader.GetGuid(0), reader.GetGuid(1), reader.GetString(2), reader.GetString(3),
                reader.GetFieldValue<byte[]>(4), reader.GetFieldValue<byte[]>(5), reader.GetInt32(6), reader.GetFieldValue<DateTimeOffset>(7), until));
        return claimed;
    }

    public async Task RecordAsync(IReadOnlyList<DeliveryOutcome> outcomes, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(RecordSql);
        command.Parameters.Add(new NpgsqlParameter { Value = outcomes.Select(o => o.Webhook.Id).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = outcomes.Select(o => o.Webhook.Lease).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = outcomes.Select(Status).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = outcomes.Select(o => o.Succeeded ? null : o.NextAttemptAt).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = outcomes.Select(o => o.AttemptedAt).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = outcomes.Select(o => o.HttpStatus).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = outcomes.Select(o => o.Error).ToArray() });
        await command.ExecuteNonQueryAsync(ct);
    }

    private static string Status(DeliveryOutcome o) =>
        o.Succeeded ? Data.WebhookStatus.Succeeded : o.NextAttemptAt is null ? Data.WebhookStatus.Failed : Data.WebhookStatus.Pending;

    // PostgreSQL keeps microseconds: the lease compared later must be the value stored.
    private static DateTimeOffset Microseconds(DateTimeOffset at) => new(at.UtcTicks - at.UtcTicks % 10, TimeSpan.Zero);
}
