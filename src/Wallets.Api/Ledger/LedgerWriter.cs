using Npgsql;
using Wallets.Api.Data;
using Wallets.Api.Features.Wallets;
using Wallets.Api.Http;

namespace Wallets.Api.Ledger;

/// <summary>
/// Group commit for grants and voids, and for holds (<see cref="GroupCommit{TRequest,TResult}"/>): requests arriving
/// together go through <see cref="GrantsAndVoids"/> (or <see cref="HoldsAndCaptures"/>) in one <see cref="LedgerSession"/>
/// of their own (two round trips, one commit) instead of one each. That is what lets thousands of debits a second, and hundreds a second on one hot wallet, fit
/// on a small database: the customer lock is taken once per batch, not once per request.
/// </summary>
public sealed class LedgerWriter : IAsyncDisposable
{
    public const int MaxBatch = 128;

    private readonly TimeProvider _clock;
    private readonly OngoingBalanceChanges _changes;
    private readonly GroupCommit<GrantOrVoid, Result<List<WalletTransaction>>> _commit;
    private readonly GroupCommit<HoldRequest, Result<Hold>> _holds;

    /// <param name="configuration">`Ledger:Writers`: concurrent writers (default 2: one fills its next batch while the other waits on PostgreSQL).</param>
    public LedgerWriter(NpgsqlDataSource dataSource, TimeProvider clock, OngoingBalanceChanges changes, ILogger<LedgerWriter> logger, IConfiguration configuration)
    {
        (_clock, _changes) = (clock, changes);
        var writers = Math.Clamp(configuration.GetValue("Ledger:Writers", 2), 1, 16);
        _commit = new(dataSource, MaxBatch, writers, (connection, requests) => ApplyAsync(connection, requests, GrantsAndVoids.PlanAsync), logger);
        _holds = new(dataSource, MaxBatch, writers, (connection, requests) => ApplyAsync(connection, requests, HoldsAndCaptures.PlanAsync), logger);
    }

    public Task<Result<List<WalletTransaction>>> WriteAsync(GrantOrVoid request, CancellationToken ct) => _commit.SubmitAsync(request, ct);

    public Task<Result<Hold>> WriteAsync(HoldRequest request, CancellationToken ct) => _holds.SubmitAsync(request, ct);

    private async Task<TResult[]> ApplyAsync<TRequest, TResult>(NpgsqlConnection connection, List<TRequest> requests,
        Func<LedgerSession, IReadOnlyList<TRequest>, DateTimeOffset, CancellationToken, Task<TResult[]>> plan)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var now = _clock.GetUtcNow();
                var session = LedgerSession.Begin(connection);
                var results = await plan(session, requests, now, CancellationToken.None);
                await session.CommitAsync(now, CancellationToken.None);
                _changes.Mark(session.Changes.MovedCustomers);
                return results;
            }
            catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.DeadlockDetected && attempt < 3)
            {
                // Another transaction locked the same customers in another order; nothing was written, so run again.
                await LedgerSession.RollbackAsync(connection);
            }
            catch
            {
                await LedgerSession.RollbackAsync(connection);
                throw;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _commit.DisposeAsync();
        await _holds.DisposeAsync();
    }
}
