using Microsoft.EntityFrameworkCore.Storage;

namespace Wallets.Api.Data;

/// <summary>
/// The transaction a request holds around its handler, when it holds one: an Idempotency-Key request stores its
/// response in the same transaction as the effect. A handler asks this object, explicitly, whether to own its
/// transaction or work inside the request's (whose owner commits it).
/// </summary>
public sealed class RequestTransaction(WalletsDbContext db)
{
    public IDbContextTransaction? Held { get; private set; }

    /// <summary>Begins the request's transaction (the Idempotency-Key filter, before the handler runs).</summary>
    public async Task<IDbContextTransaction> BeginAsync(CancellationToken ct) => Held = await db.Database.BeginTransactionAsync(ct);

    /// <summary>The handler's own transaction, or the request's when it holds one (then committing is the request's).</summary>
    public async Task<OwnedTransaction> BeginOrJoinAsync(CancellationToken ct) =>
        new(Held is null ? await db.Database.BeginTransactionAsync(ct) : null);
}
