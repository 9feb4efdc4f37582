using System.Collections.Concurrent;
using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Wallets.Api.Features.Wallets;

/// <summary>
/// The customers whose ongoing balances may have moved since <see cref="Jobs.OngoingBalanceJob"/> last looked: those
/// whose events were stored or whose balances the ledger moved, in this process, once committed. Marking is a set
/// insertion (nothing is read or written per event); the job takes the set every round. A change made inside a
/// DbContext's transaction is marked when that transaction commits (this is an EF Core interceptor), and forgotten if it
/// rolls back.
/// </summary>
public sealed class OngoingBalanceChanges : DbTransactionInterceptor
{
    private readonly ConcurrentDictionary<Guid, Guid> _changed = new();
    private readonly ConditionalWeakTable<DbContext, HashSet<(Guid Organization, Guid Customer)>> _pending = [];

    /// <summary>Committed changes of these customers.</summary>
    public void Mark(IEnumerable<(Guid Organization, Guid Customer)> customers)
    {
        foreach (var (organization, customer) in customers) _changed[customer] = organization;
    }

    public void Mark(Guid organization, Guid customer) => _changed[customer] = organization;

    /// <summary>A change in the DbContext's transaction: marked when it commits (at once when there is none).</summary>
    public void MarkOnCommit(DbContext db, Guid organization, Guid customer)
    {
        if (db.Database.CurrentTransaction is null) { Mark(organization, customer); return; }
        lock (_pending) _pending.GetOrCreateValue(db).Add((organization, customer));
    }

    /// <summary>Takes every customer marked so far (customer → organization).</summary>
    public Dictionary<Guid, Guid> Take()
    {
        var taken = new Dictionary<Guid, Guid>();
        foreach (var customer in _changed.Keys)
        {
            if (_changed.TryRemove(customer, out var organization)) taken[customer] = organization;
        }
        return taken;
    }

    public override Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken ct = default)
    {
        TransactionCommitted(transaction, eventData);
        return Task.CompletedTask;
    }

    public override void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => End(eventData.Context, commit: true);

    public override Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken ct = default)
    {
        TransactionRolledBack(transaction, eventData);
        return Task.CompletedTask;
    }

    public override void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => End(eventData.Context, commit: false);

    private void End(DbContext? db, bool commit)
    {
        if (db is null) return;
        HashSet<(Guid, Guid)>? customers;
        lock (_pending)
        {
            if (!_pending.TryGetValue(db, out customers)) return;
            _pending.Remove(db);
        }
        if (commit) Mark(customers);
    }
}
