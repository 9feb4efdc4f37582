namespace Wallets.Domain.Allocation;

/// <summary>
/// The order in which a wallet's grants are drawn down (DESIGN decision 2): priority ASC, then the soonest expiry
/// (grants that never expire last), granted before purchased, created_at ASC, then id as PostgreSQL orders uuids, so
/// the order is total and deterministic. Without expiring grants it is priority, granted first, oldest first.
/// SQL equivalent: <c>ORDER BY priority, expiration_at NULLS LAST, CASE WHEN granted THEN 0 ELSE 1 END, created_at, id</c>.
/// </summary>
public sealed class ConsumptionOrder : IComparer<InboundGrant>
{
    public static ConsumptionOrder Instance { get; } = new();

    private ConsumptionOrder()
    {
    }

    public int Compare(InboundGrant? x, InboundGrant? y)
    {
        if (ReferenceEquals(x, y))
        {
            return 0;
        }

        if (x is null || y is null)
        {
            return x is null ? -1 : 1;
        }

        var byPriority = x.Priority.CompareTo(y.Priority);
        if (byPriority != 0)
        {
            return byPriority;
        }

        // Credits that expire sooner are used first, so fewer of them are lost; credits that never expire go last.
        var byExpiry = CompareExpiry(x.ExpirationAt, y.ExpirationAt);
        if (byExpiry != 0)
        {
            return byExpiry;
        }

        var byKind = GrantedRank(x).CompareTo(GrantedRank(y));
        if (byKind != 0)
        {
            return byKind;
        }

        var byTime = x.CreatedAt.CompareTo(y.CreatedAt);
        return byTime != 0 ? byTime : UuidOrder.Instance.Compare(x.Id, y.Id);
    }

    /// <summary>The grants in consumption order (a new list; the input is left as is).</summary>
    public static IReadOnlyList<InboundGrant> Sort(IEnumerable<InboundGrant> grants)
    {
        var sorted = grants.ToList();
        sorted.Sort(Instance);
        return sorted;
    }

    private static int GrantedRank(InboundGrant grant) => grant.Granted ? 0 : 1;

    private static int CompareExpiry(DateTimeOffset? x, DateTimeOffset? y) => (x, y) switch
    {
        (null, null) => 0,
        (null, _) => 1,
        (_, null) => -1,
        _ => x.Value.CompareTo(y.Value),
    };
}
