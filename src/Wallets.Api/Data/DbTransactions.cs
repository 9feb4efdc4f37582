using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Wallets.Api.Data;

/// <summary>
/// A handler owns its transaction, unless one is already open (an Idempotency-Key request stores its
/// response in the same transaction as the effect): then it joins it, and the outer owner commits.
/// </summary>
public sealed class OwnedTransaction(IDbContextTransaction? owned) : IAsyncDisposable
{
    public Task CommitAsync(CancellationToken ct) => owned?.CommitAsync(ct) ?? Task.CompletedTask;

    public ValueTask DisposeAsync() => owned?.DisposeAsync() ?? ValueTask.CompletedTask;
}

public static class DbTransactions
{
    public static async Task<OwnedTransaction> BeginOrJoinAsync(this WalletsDbContext db, CancellationToken ct) =>
        new(db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(ct) : null);

    /// <summary>
    /// Serializes every balance-changing operation of one customer (top-ups, voids, settlements, invoices,
    /// termination) until the transaction ends, so no balance is ever computed from a stale read.
    /// </summary>
    public static Task LockCustomerAsync(this WalletsDbContext db, Guid customerId, CancellationToken ct) =>
        db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock(hashtextextended({customerId.ToString()}, 0))", ct);
}
