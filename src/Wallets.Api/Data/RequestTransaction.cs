using Microsoft.EntityFrameworkCore.Storage;

namespace Wallets.Api.Data;

/// <summary>
/// The one transaction of a unit of work (a request, or one item of a job), owned explicitly: whoever begins it here
/// owns it and commits it (the Idempotency-Key filter, which stores its response in the same transaction as the
/// effect; a job; the outermost handler), and a handler called inside it joins it. Handlers ask this object, not the
/// DbContext's connection state.
/// </summary>
public sealed class RequestTransaction(WalletsDbContext db)
{
    public IDbContextTransaction? Held { get; private set; }

    /// <summary>Begins the unit of work's transaction; the caller owns it.</summary>
    public async Task<IDbContextTransaction> BeginAsync(CancellationToken ct)
    {
        if (Held is not null) throw new InvalidOperationException("This unit of work holds a transaction already.");
        return Held = await db.Database.BeginTransactionAsync(ct);
    }

    /// <summary>The handler's own transaction, or the one the unit of work holds (then its owner commits it).</summary>
    public async Task<OwnedTransaction> BeginOrJoinAsync(CancellationToken ct) =>
        Held is null ? new OwnedTransaction(await BeginAsync(ct), () => Held = null) : new OwnedTransaction(null, null);
}

/// <summary>A transaction a handler owns (commit and dispose end it), or none when it joined its caller's.</summary>
public sealed class OwnedTransaction(IDbContextTransaction? owned, Action? ended) : IAsyncDisposable
{
    public Task CommitAsync(CancellationToken ct) => owned?.CommitAsync(ct) ?? Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        if (owned is null) return;
        await owned.DisposeAsync();
        ended?.Invoke();
    }
}
