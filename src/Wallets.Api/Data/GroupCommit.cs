using System.Diagnostics.Metrics;
using System.Threading.Channels;
using Npgsql;

namespace Wallets.Api.Data;

/// <summary>
/// Group commit: requests arriving together are applied as one batch (one transaction, one commit) instead of one
/// each, which is what lets thousands of writes a second fit on a small database. No request waits for a timer: a
/// writer takes whatever is queued, up to the batch size, the moment it is free, so batches grow with the load. Each
/// request keeps its own outcome and is answered only after its batch committed. A batch that fails is applied again
/// one request at a time, so a request PostgreSQL refuses does not fail its neighbours. Each writer keeps its own
/// connection between batches (a new one after a failure): it never queues in the pool behind requests.
/// </summary>
public sealed class GroupCommit<TRequest, TResult> : IAsyncDisposable
{
    // On the `Wallets` meter (Jobs/JobMetrics.cs): static, as writers are built outside the container; one record per batch.
    private static readonly Histogram<int> BatchSize = new Meter("Wallets").CreateHistogram("wallets.group_commit.batch_size", "{write}",
        "Writes applied together in one group-commit batch (tag: writer, e.g. event or ledger).",
        advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024] });

    private readonly KeyValuePair<string, object?> _writerTag;
    private readonly Channel<Pending> _queue;
    private readonly NpgsqlDataSource _dataSource;
    private readonly int _maxBatch;
    private readonly Func<NpgsqlConnection, List<TRequest>, Task<TResult[]>> _apply;
    private readonly ILogger _logger;
    private readonly Task[] _writers;

    /// <param name="apply">Applies a batch on the writer's connection and answers one result per request, in order; throws if nothing was applied.</param>
    /// <param name="writers">Batches applied at once: while one runs, the next gathers.</param>
    public GroupCommit(NpgsqlDataSource dataSource, int maxBatch, int writers, Func<NpgsqlConnection, List<TRequest>, Task<TResult[]>> apply, ILogger logger)
    {
        _queue = Channel.CreateBounded<Pending>(new BoundedChannelOptions(16 * maxBatch) { FullMode = BoundedChannelFullMode.Wait });
        (_dataSource, _maxBatch, _apply, _logger) = (dataSource, maxBatch, apply, logger);
        var owner = apply.Target?.GetType().Name ?? apply.Method.DeclaringType?.Name ?? "writer";
        _writerTag = new("writer", (owner.EndsWith("Writer") && owner.Length > 6 ? owner[..^6] : owner).ToLowerInvariant());
        _writers = Enumerable.Range(0, writers).Select(_ => Task.Run(WriteLoopAsync)).ToArray();
    }

    public async Task<TResult> SubmitAsync(TRequest request, CancellationToken ct)
    {
        var pending = new Pending(request, new TaskCompletionSource<TResult>(TaskCreationOptions.RunContinuationsAsynchronously));
        await _queue.Writer.WriteAsync(pending, ct);
        // Once queued the request will be applied; it waits for the outcome even if the client left.
        return await pending.Done.Task;
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<Pending>(_maxBatch);
        NpgsqlConnection? connection = null;
        try
        {
            while (await _queue.Reader.WaitToReadAsync())
            {
                batch.Clear();
                while (batch.Count < _maxBatch && _queue.Reader.TryRead(out var next)) batch.Add(next);
                if (batch.Count == 0) continue;
                BatchSize.Record(batch.Count, _writerTag);
                connection = await WriteBatchAsync(batch, connection);
            }
        }
        finally
        {
            if (connection is not null) await connection.DisposeAsync();
        }
    }

    /// <returns>The connection to use next (none after a failure: the next batch opens a new one).</returns>
    private async Task<NpgsqlConnection?> WriteBatchAsync(List<Pending> batch, NpgsqlConnection? connection)
    {
        try
        {
            connection ??= await _dataSource.OpenConnectionAsync();
            var results = await _apply(connection, batch.ConvertAll(p => p.Request));
            for (var i = 0; i < batch.Count; i++) batch[i].Done.TrySetResult(results[i]);
            return connection;
        }
        catch (Exception e)
        {
            if (connection is not null) await connection.DisposeAsync();
            if (batch.Count == 1)
            {
                batch[0].Done.TrySetException(e);
                return null;
            }
            _logger.LogWarning(e, "A batch of {Count} writes failed; applying them one by one.", batch.Count);
            NpgsqlConnection? next = null;
            foreach (var single in batch) next = await WriteBatchAsync([single], next);
            return next;
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await Task.WhenAll(_writers);
    }

    private sealed record Pending(TRequest Request, TaskCompletionSource<TResult> Done);
}
