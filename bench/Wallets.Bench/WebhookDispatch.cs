using System.Diagnostics;
using Npgsql;

namespace Wallets.Bench;

/// <summary>
/// Scenario k: N webhooks queued in the outbox (copies of a real `customer.updated` body), all made due at once; the
/// server's dispatcher delivers them to <see cref="WebhookSink"/>. Reports deliveries per second until the last one
/// arrived, and until the last outcome was recorded in the database.
/// </summary>
public static class WebhookDispatch
{
    public static async Task<string> RunAsync(WalletsApi api, WebhookSink sink, ProcessStats stats, string connectionString, string customer, int count, string algorithm)
    {
        var endpoint = await api.CreateWebhookEndpointAsync($"{sink.Url}/k-{algorithm}", algorithm, ["customer.updated"]);
        await api.RenameCustomerAsync(customer, "bench k");
        await using var db = NpgsqlDataSource.Create(connectionString);
        // The real delivery row made by that update, once delivered, is the model of the N copies.
        var baseline = sink.Received;
        for (var waited = Stopwatch.StartNew(); await CountAsync(db, endpoint, "succeeded") < 1; await Task.Delay(50))
            if (waited.Elapsed > TimeSpan.FromSeconds(30)) throw new InvalidOperationException("the first webhook of scenario k was never delivered");

        // Queued but not due, so the dispatcher leaves them until all are written; then due in one statement.
        await ExecuteAsync(db, """
            INSERT INTO webhooks (id, organization_id, webhook_endpoint_id, webhook_type, object_type, payload, next_attempt_at, created_at, updated_at)
            SELECT gen_random_uuid(), m.organization_id, m.webhook_endpoint_id, m.webhook_type, m.object_type, m.payload, now() + interval '1 hour', now(), now()
            FROM (SELECT * FROM webhooks WHERE webhook_endpoint_id = $1 LIMIT 1) m, generate_series(1, $2)
            """, endpoint, count);
        await ExecuteAsync(db, "VACUUM (ANALYZE) webhooks");
        Console.Error.WriteLine($"bench: k. {count:N0} webhooks due now…");
        var before = sink.Received;
        var cpu = stats.Sample();
        var watch = Stopwatch.StartNew();
        await ExecuteAsync(db, "UPDATE webhooks SET next_attempt_at = now() WHERE webhook_endpoint_id = $1 AND status = 'pending'", endpoint);
        while (sink.Received - before < count && watch.Elapsed < TimeSpan.FromMinutes(5)) await Task.Delay(10);
        var delivered = watch.Elapsed;
        while (await CountAsync(db, endpoint, "pending") > 0 && watch.Elapsed < TimeSpan.FromMinutes(5)) await Task.Delay(20);
        var recorded = watch.Elapsed;
        var share = ProcessStats.Between(cpu, stats.Sample());
        var got = sink.Received - before;
        double PerWebhook(double percent) => percent / 100 * recorded.TotalMilliseconds / Math.Max(count, 1);
        return $"k. webhook dispatch ({algorithm}): {count:N0} webhooks queued at once, {got:N0} received in {delivered.TotalSeconds:0.00} s " +
               $"= {got / delivered.TotalSeconds:N0}/s; all outcomes recorded after {recorded.TotalSeconds:0.00} s = {count / recorded.TotalSeconds:N0}/s " +
               $"({baseline:N0} webhooks received before the scenario); CPU ms per webhook server / postgres / bench (receiver) " +
               $"{PerWebhook(share.Server):0.000} / {PerWebhook(share.Postgres):0.000} / {PerWebhook(share.Bench):0.000}, others {share.Others:0} %, steal {share.Steal:0} %.";
    }

    private static async Task<long> CountAsync(NpgsqlDataSource db, Guid endpoint, string status)
    {
        await using var command = db.CreateCommand("SELECT count(*) FROM webhooks WHERE webhook_endpoint_id = $1 AND status = $2");
        command.Parameters.Add(new NpgsqlParameter { Value = endpoint });
        command.Parameters.Add(new NpgsqlParameter { Value = status });
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static async Task ExecuteAsync(NpgsqlDataSource db, string sql, params object[] parameters)
    {
        await using var command = db.CreateCommand(sql);
        foreach (var value in parameters) command.Parameters.Add(new NpgsqlParameter { Value = value });
        await command.ExecuteNonQueryAsync();
    }
}
