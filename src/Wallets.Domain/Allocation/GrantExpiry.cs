namespace Wallets.Domain.Allocation;

/// <summary>One expiry: at <paramref name="ExpiredAt"/>, <paramref name="Cents"/> of the grant <paramref name="InboundId"/> are voided.</summary>
public sealed record ExpiryVoid(Guid InboundId, DateTimeOffset ExpiredAt, long Cents);

/// <summary>
/// Per-grant expiry (Orb, Metronome and Stripe expire each grant; Lago only whole wallets): from its
/// <see cref="InboundGrant.ExpirationAt"/> on, a grant funds nothing, and what it still holds is voided.
/// </summary>
public static class GrantExpiry
{
    /// <summary>True when the grant's credits can no longer be used at <paramref name="at"/> (they expire at or before it).</summary>
    public static bool IsExpired(InboundGrant grant, DateTimeOffset at) => grant.ExpirationAt <= at;

    /// <summary>
    /// What the expiry of a grant voids: everything it still holds. The one place that says so (credits reserved by a
    /// hold, for instance, would be subtracted here).
    /// </summary>
    public static long VoidedCents(InboundGrant grant) => Math.Max(0, grant.RemainingCents);

    /// <summary>
    /// The voids due at <paramref name="at"/>: one per grant expired by then that still has something to void, by expiry
    /// instant, then in consumption order.
    /// </summary>
    public static IReadOnlyList<ExpiryVoid> Due(IEnumerable<InboundGrant> grants, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(grants);
        return ConsumptionOrder.Sort(grants.Where(g => IsExpired(g, at) && VoidedCents(g) > 0))
            .OrderBy(g => g.ExpirationAt!.Value) // a stable sort: consumption order within one instant
            .Select(g => new ExpiryVoid(g.Id, g.ExpirationAt!.Value, VoidedCents(g)))
            .ToList();
    }
}
