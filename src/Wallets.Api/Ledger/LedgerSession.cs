using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using Wallets.Api.Data;

namespace Wallets.Api.Ledger;

/// <summary>
/// One unit of work on the ledger, in one database transaction: the changes collected so far
/// (<see cref="LedgerChanges"/>) and the webhook subscriptions read. It is made explicitly, in one of two ways:
/// <see cref="Begin"/> for a group commit, whose batches begin and commit the transaction themselves (no extra round
/// trip), or <see cref="Join"/> for the transaction a handler holds, which the handler commits.
/// </summary>
public sealed class LedgerSession
{
    private readonly NpgsqlConnection _connection;
    private readonly NpgsqlTransaction? _joined;
    private bool _begun;

    private LedgerSession(NpgsqlConnection connection, NpgsqlTransaction? joined) => (_connection, _joined, _begun) = (connection, joined, joined is not null);

    public LedgerChanges Changes { get; } = new();

    public WebhookSubscriptions Subscriptions { get; } = new();

    /// <summary>A transaction of its own on this connection: the first batch sent begins it, <see cref="CommitAsync"/> ends it.</summary>
    public static LedgerSession Begin(NpgsqlConnection connection) => new(connection, null);

    /// <summary>The transaction the handler holds on this DbContext; the handler commits it after <see cref="FlushAsync"/>.</summary>
    public static LedgerSession Join(WalletsDbContext db) =>
        new((NpgsqlConnection)db.Database.GetDbConnection(),
            (NpgsqlTransaction?)db.Database.CurrentTransaction?.GetDbTransaction()
            ?? throw new InvalidOperationException("The ledger writes inside the transaction of the change."));

    /// <summary>
    /// A batch on the session's transaction (beginning it, for a group commit, with its first statement) that starts
    /// with the row changes collected so far, so what it reads sees them.
    /// </summary>
    public NpgsqlBatch NewBatch(DateTimeOffset now)
    {
        var batch = new NpgsqlBatch(_connection) { Transaction = _joined };
        if (!_begun) batch.BatchCommands.Add(new NpgsqlBatchCommand("BEGIN"));
        _begun = true;
        foreach (var command in Changes.TakeCommands(now)) batch.BatchCommands.Add(command);
        return batch;
    }

    /// <summary>
    /// Writes the changes collected so far, then <paramref name="read"/> (if any) in the same round trip, so a read
    /// after a change sees it. Organizations whose endpoints are not known yet are read in that round trip too, and
    /// their webhooks written by the next flush (one is always made before commit); known ones go in this batch.
    /// </summary>
    public async Task<NpgsqlDataReader?> FlushAsync(DateTimeOffset now, CancellationToken ct, NpgsqlBatchCommand? read = null)
    {
        var unknown = Changes.WebhookOrganizations.Where(o => !Subscriptions.Knows(o)).ToArray();
        if (!Changes.HasRows && !Changes.HasWebhooks && read is null) return null;
        var batch = NewBatch(now);
        if (unknown.Length > 0) batch.BatchCommands.Add(WebhookSubscriptions.Command(unknown));
        if (unknown.Length == 0 && Changes.TakeOutbox(now, Subscriptions) is { } outbox) batch.BatchCommands.Add(outbox);
        if (read is not null) batch.BatchCommands.Add(read);
        if (unknown.Length == 0 && read is null)
        {
            await using (batch) await batch.ExecuteNonQueryAsync(ct);
            return null;
        }
        var reader = await batch.ExecuteReaderAsync(ct);
        if (unknown.Length > 0)
        {
            await Subscriptions.ReadAsync(reader, unknown, ct);
            if (read is null)
            {
                await reader.DisposeAsync();
                await batch.DisposeAsync();
                // The webhooks of the organizations just read, in a second round trip only when some endpoint wants them.
                return Changes.HasWebhooks ? await FlushAsync(now, ct) : null;
            }
            await reader.NextResultAsync(ct);
        }
        return reader;
    }

    /// <summary>A group commit's last batch: every change, its webhooks, and COMMIT.</summary>
    public async Task CommitAsync(DateTimeOffset now, CancellationToken ct)
    {
        if (_joined is not null) throw new InvalidOperationException("A joined session is committed by the transaction's owner.");
        if (Changes.WebhookOrganizations.Any(o => !Subscriptions.Knows(o))) await FlushAsync(now, ct);
        await using var batch = NewBatch(now);
        if (Changes.TakeOutbox(now, Subscriptions) is { } outbox) batch.BatchCommands.Add(outbox);
        batch.BatchCommands.Add(new NpgsqlBatchCommand("COMMIT"));
        await batch.ExecuteNonQueryAsync(ct);
        _begun = false;
    }

    /// <summary>Ends the connection's transaction after a failure, so a pooled connection goes back clean.</summary>
    public static async Task RollbackAsync(NpgsqlConnection connection)
    {
        try
        {
            await using var rollback = new NpgsqlCommand("ROLLBACK", connection);
            await rollback.ExecuteNonQueryAsync(CancellationToken.None);
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
        {
            // A broken connection is not reused; the server ends its transaction.
        }
    }
}
