namespace Wallets.Domain.Allocation;

/// <summary>
/// The order in which a wallet's grants are drawn down (DESIGN decision 2): priority ASC, granted before purchased,
/// created_at ASC, then id as PostgreSQL orders uuids, so the order is total and deterministic.
/// SQL equivalent: <c>ORDER BY priority, CASE WHEN granted THEN 0 ELSE 1 END, created_at, id</c>.
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
}
