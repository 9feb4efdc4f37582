using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Wallets.Api.Features.Events;

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
    /// Stops the organization's event ingestion until the transaction ends (see <see cref="EventStatement.ShareOrganizationsSql"/>):
    /// taken before billing a termination, so no event is counted after the usage was read. Whatever takes it takes
    /// it before a customer lock, so terminations and customer deletions never wait for each other in a circle.
    /// </summary>
    public static Task LockEventsAsync(this WalletsDbContext db, Guid organizationId, CancellationToken ct) =>
        db.Database.ExecuteSqlRawAsync(EventStatement.LockOrganizationSql, [organizationId], ct);
}
