namespace Wallets.Domain.Allocation;

/// <summary>
/// Holds (two-phase debits), pure: which grants a hold reserves, and how a capture splits what they reserved into
/// what is taken and what is given back. The caller writes the rows under its customer lock.
/// </summary>
public static class HoldPlan
{
    /// <summary>
    /// Reserves <paramref name="needCents"/> from the grants in <see cref="ConsumptionOrder"/>, each offering what it
    /// holds beyond other holds (its <see cref="InboundGrant.RemainingCents"/> here). Only grants that outlive the hold
    /// are used (no expiry, or one at or after <paramref name="holdExpiresAt"/>; a hold that never expires uses only
    /// grants that never expire), so no grant expires under an active hold. Fails with
    /// <see cref="AllocationErrors.ExceedsAvailableAmount"/> when they cannot cover it.
    /// </summary>
    public static AllocationResult<IReadOnlyList<Consumption>> Reserve(IReadOnlyList<InboundGrant> grants, long needCents, DateTimeOffset? holdExpiresAt)
    {
        ArgumentNullException.ThrowIfNull(grants);
        return GrantConsumption.Consume(grants.Where(g => Outlives(g, holdExpiresAt)).ToList(), needCents);
    }

    /// <summary>True when the grant still holds its credits for the whole life of a hold expiring at <paramref name="holdExpiresAt"/>.</summary>
    public static bool Outlives(InboundGrant grant, DateTimeOffset? holdExpiresAt) =>
        grant.ExpirationAt is not { } end || (holdExpiresAt is { } holdEnd && end >= holdEnd);

    /// <summary>
    /// A capture of <paramref name="captureCents"/> from a hold's <paramref name="reservations"/>: taken in their order,
    /// the rest of each given back. Fails with <see cref="HoldErrors.ExceedsHeldCredits"/> beyond what they hold.
    /// </summary>
    public static AllocationResult<CaptureSplit> Capture(IReadOnlyList<Consumption> reservations, long captureCents)
    {
        ArgumentNullException.ThrowIfNull(reservations);
        ArgumentOutOfRangeException.ThrowIfNegative(captureCents);
        if (captureCents > reservations.Aggregate(Int128.Zero, (sum, r) => sum + r.Cents))
            return AllocationResult<CaptureSplit>.Failure(HoldErrors.ExceedsHeldCredits);

        var taken = new List<Consumption>();
        var released = new List<Consumption>();
        var left = captureCents;
        foreach (var reservation in reservations)
        {
            var take = Math.Min(left, reservation.Cents);
            left -= take;
            if (take > 0) taken.Add(reservation with { Cents = take });
            if (reservation.Cents > take) released.Add(reservation with { Cents = reservation.Cents - take });
        }
        return AllocationResult<CaptureSplit>.Success(new CaptureSplit(taken, released));
    }
}

/// <summary>What a capture takes from each reserved grant, and what it gives back to each.</summary>
public sealed record CaptureSplit(IReadOnlyList<Consumption> Taken, IReadOnlyList<Consumption> Released);

public static class HoldErrors
{
    /// <summary>A capture larger than what the hold reserved (under the field `credits`).</summary>
    public const string ExceedsHeldCredits = "exceeds_held_credits";
}
