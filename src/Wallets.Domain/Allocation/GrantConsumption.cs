namespace Wallets.Domain.Allocation;

/// <summary>
/// Splits one outbound debit over a wallet's grants (Lago's TrackConsumptionService, behavior.md §2.2).
/// Pure: it only says which rows to write; the caller writes them and decrements the grants under its customer lock.
/// </summary>
public static class GrantConsumption
{
    /// <summary>
    /// Mode A: draws <paramref name="needCents"/> greedily from the grants with a positive remaining amount, in
    /// <see cref="ConsumptionOrder"/>. Fails with <see cref="AllocationErrors.ExceedsAvailableAmount"/> before producing
    /// any row when the need exceeds what is left. A need of 0 succeeds with no rows.
    /// </summary>
    /// <param name="at">When the debit is made: grants expired by then (<see cref="GrantExpiry.IsExpired"/>) fund nothing.</param>
    public static AllocationResult<IReadOnlyList<Consumption>> Consume(IReadOnlyList<InboundGrant> grants, long needCents, DateTimeOffset? at = null)
    {
        ArgumentNullException.ThrowIfNull(grants);
        ArgumentOutOfRangeException.ThrowIfNegative(needCents);
        EnsureDistinctIds(grants);

        var available = grants.Where(g => g.RemainingCents > 0 && !(at is { } now && GrantExpiry.IsExpired(g, now))).ToList();
        // Int128: a sum of many long balances must not wrap around and let an overdraft through.
        var availableCents = available.Aggregate(Int128.Zero, (sum, g) => sum + g.RemainingCents);
        if (needCents > availableCents)
        {
            return AllocationResult<IReadOnlyList<Consumption>>.Failure(AllocationErrors.ExceedsAvailableAmount);
        }

        available.Sort(ConsumptionOrder.Instance);
        var rows = new List<Consumption>();
        var left = needCents;
        foreach (var grant in available)
        {
            if (left == 0)
            {
                break;
            }

            var take = Math.Min(grant.RemainingCents, left);
            rows.Add(new Consumption(grant.Id, take));
            left -= take;
        }

        return AllocationResult<IReadOnlyList<Consumption>>.Success(rows);
    }

    /// <summary>
    /// Mode B: draws <paramref name="needCents"/> from one named grant, ignoring the order. Fails with
    /// <see cref="AllocationErrors.NoRemainingAmount"/> when the grant has nothing left, and with
    /// <see cref="AllocationErrors.ExceedsRemainingTransactionAmount"/> when the need is larger than what it has left.
    /// </summary>
    /// <param name="at">When the debit is made: a grant expired by then has nothing left to give.</param>
    public static AllocationResult<IReadOnlyList<Consumption>> ConsumeFrom(InboundGrant grant, long needCents, DateTimeOffset? at = null)
    {
        ArgumentNullException.ThrowIfNull(grant);
        ArgumentOutOfRangeException.ThrowIfNegative(needCents);

        if (grant.RemainingCents <= 0 || (at is { } now && GrantExpiry.IsExpired(grant, now)))
        {
            return AllocationResult<IReadOnlyList<Consumption>>.Failure(AllocationErrors.NoRemainingAmount);
        }

        if (needCents > grant.RemainingCents)
        {
            return AllocationResult<IReadOnlyList<Consumption>>.Failure(AllocationErrors.ExceedsRemainingTransactionAmount);
        }

        IReadOnlyList<Consumption> rows = needCents == 0 ? [] : [new Consumption(grant.Id, needCents)];
        return AllocationResult<IReadOnlyList<Consumption>>.Success(rows);
    }

    // Two rows for one grant would break the unique (inbound, outbound) pair, so duplicates are a caller bug.
    private static void EnsureDistinctIds(IReadOnlyList<InboundGrant> grants)
    {
        var seen = new HashSet<Guid>();
        foreach (var grant in grants)
        {
            if (!seen.Add(grant.Id))
            {
                throw new ArgumentException($"Grant {grant.Id} appears twice.", nameof(grants));
            }
        }
    }
}
