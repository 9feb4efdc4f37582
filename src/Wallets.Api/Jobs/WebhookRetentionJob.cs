using Npgsql;
using Wallets.Api.Features.Webhooks;

namespace Wallets.Api.Jobs;

/// <summary>Deletes finished webhook deliveries (succeeded or failed) Webhooks:KeepFor after their last attempt.</summary>
public sealed class WebhookRetentionJob(NpgsqlDataSource dataSource, WebhookSettings settings, TimeProvider clock, ILogger<WebhookRetentionJob> logger)
    : ClockJob(clock, logger)
{
    private const int Chunk = 10_000;

    // In chunks, so no delete holds many row locks or a long transaction; a pending row is never touched.
    private const string DeleteSql = """
        DELETE FROM webhooks WHERE id IN (
            SELECT id FROM webhooks WHERE status <> 'pending' AND updated_at < $1 LIMIT $2)
        """;

    protected override TimeSpan Period => TimeSpan.FromHours(1);

    public override async Task<int> RunOnceAsync(CancellationToken ct)
    {
        var before = Clock.GetUtcNow() - settings.KeepFor;
        var deleted = 0;
        while (true)
        {
            await using var command = dataSource.CreateCommand(DeleteSql);
            command.Parameters.Add(new NpgsqlParameter { Value = before });
            command.Parameters.Add(new NpgsqlParameter { Value = Chunk });
            var count = await command.ExecuteNonQueryAsync(ct);
            deleted += count;
            if (count < Chunk) return deleted;
        }
    }
}
