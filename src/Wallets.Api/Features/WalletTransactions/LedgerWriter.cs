using System.Threading.Channels;
using Npgsql;
using Wallets.Api.Data;
using Wallets.Api.Http;

namespace Wallets.Api.Features.WalletTransactions;

/// <summary>
/// Group commit for grants and voids: requests arriving together go through <see cref="GrantsAndVoids"/> as one
/// transaction (two round trips, one commit) instead of one each. That is what lets thousands of debits a second, and
/// hundreds a second on one hot wallet, fit on a small database: the customer lock is taken once per batch, not once
/// per request. No request waits for a timer: a writer takes whatever is queued, up to <see cref="MaxBatch"/>, the
/// moment it is free. Each request keeps its own outcome, and is answered only after its batch committed.
/// </summary>
public sealed class LedgerWriter : IAsyncDisposable
{
    public const int MaxBatch = 128;

    private readonly Channel<Pending> _queue = Channel.CreateBounded<Pending>(new BoundedChannelOptions(16 * MaxBatch)
    {
        FullMode = BoundedChannelFullMode.Wait,
    });
    private readonly NpgsqlDataSource _dataSource;
    private readonly TimeProvider _clock;
    private readonly ILogger<LedgerWriter> _logger;
    private readonly Task[] _writers;

    /// <param name="configuration">`Ledger:Writers`: concurrent writers (default 2: one fills its next batch while the other waits on PostgreSQL).</param>
    public LedgerWriter(NpgsqlDataSource dataSource, TimeProvider clock, ILogger<LedgerWriter> logger, IConfiguration configuration)
    {
        (_dataSource, _clock, _logger) = (dataSource, clock, logger);
        var writers = Math.Clamp(configuration.GetValue("Ledger:Writers", 2), 1, 16);
        _writers = Enumerable.Range(0, writers).Select(_ => Task.Run(WriteLoopAsync)).ToArray();
    }

    public async Task<Result<List<WalletTransaction>>> WriteAsync(TopUpRequest request, CancellationToken ct)
    {
        var pending = new Pending(request, new TaskCompletionSource<Result<List<WalletTransaction>>>(TaskCreationOptions.RunContinuationsAsynchronously));
        await _queue.Writer.WriteAsync(pending, ct);
        // Once queued the request will be applied; it waits for the outcome even if the client left.
        return await pending.Done.Task;
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<Pending>(MaxBatch);
        while (await _queue.Reader.WaitToReadAsync())
        {
            batch.Clear();
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var next)) batch.Add(next);
            if (batch.Count > 0) await WriteBatchAsync(batch);
        }
    }

    private async Task WriteBatchAsync(List<Pending> batch)
    {
        try
        {
            var results = await ApplyAsync(batch.Select(p => p.Request).ToList());
            for (var i = 0; i < batch.Count; i++) batch[i].Done.TrySetResult(results[i]);
        }
        catch (Exception e)
        {
            if (batch.Count == 1)
            {
                batch[0].Done.TrySetException(e);
                return;
            }
            // A request PostgreSQL refuses must not fail its neighbours: each is tried alone.
            _logger.LogWarning(e, "A batch of {Count} grants and voids failed; applying them one by one.", batch.Count);
            foreach (var single in batch) await WriteBatchAsync([single]);
        }
    }

    private async Task<Result<List<WalletTransaction>>[]> ApplyAsync(List<TopUpRequest> requests)
    {
        for (var attempt = 1; ; attempt++)
        {
            await using var connection = await _dataSource.OpenConnectionAsync();
            try
            {
                return await GrantsAndVoids.RunAsync(connection, ownTransaction: true, requests, _clock.GetUtcNow(), CancellationToken.None);
            }
            catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.DeadlockDetected && attempt < 3)
            {
                // Another transaction locked the same customers in another order; nothing was written, so run again.
                await GrantsAndVoids.RollbackAsync(connection);
            }
            catch
            {
                await GrantsAndVoids.RollbackAsync(connection);
                throw;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await Task.WhenAll(_writers);
    }

    private sealed record Pending(TopUpRequest Request, TaskCompletionSource<Result<List<WalletTransaction>>> Done);
}
