namespace Wallets.Domain.Allocation;

/// <summary>
/// The order in which wallets pay (Lago's in_application_order): priority ASC, created_at ASC, then id as
/// PostgreSQL orders uuids so equal timestamps still give one answer.
/// </summary>
public sealed class WalletApplicationOrder : IComparer<WalletCandidate>
{
    public static WalletApplicationOrder Instance { get; } = new();

    private WalletApplicationOrder()
    {
    }

    public int Compare(WalletCandidate? x, WalletCandidate? y)
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

        var byTime = x.CreatedAt.CompareTo(y.CreatedAt);
        return byTime != 0 ? byTime : UuidOrder.Instance.Compare(x.Id, y.Id);
    }

    /// <summary>The wallets in application order; throws on a duplicate id (a caller bug).</summary>
    public static IReadOnlyList<WalletCandidate> Sort(IEnumerable<WalletCandidate> wallets)
    {
        var sorted = wallets.ToList();
        if (sorted.Select(w => w.Id).Distinct().Count() != sorted.Count)
        {
            throw new ArgumentException("A wallet appears twice.", nameof(wallets));
        }

        sorted.Sort(Instance);
        return sorted;
    }
}
