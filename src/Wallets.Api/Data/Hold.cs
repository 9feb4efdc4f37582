namespace Wallets.Api.Data;

/// <summary>
/// Credits of a wallet reserved before the work that uses them, then captured (what was used) or released
/// (docs/ledger.md#holds). Written only by the ledger module; its reservations say which grants it holds.
/// </summary>
public sealed class Hold
{
    public Guid Id { get; set; }
    public Guid OrganizationId { get; set; }
    public Guid CustomerId { get; set; }
    public Guid WalletId { get; set; }
    public required string ExternalId { get; set; }
    public string Status { get; set; } = HoldStatus.Active;
    public decimal Credits { get; set; }
    public long AmountCents { get; set; }
    public decimal? CapturedCredits { get; set; }
    public long? CapturedAmountCents { get; set; }
    public Guid? WalletTransactionId { get; set; }
    public DateTimeOffset? ExpiresAt { get; set; }
    public Dictionary<string, string?>? Metadata { get; set; }
    public DateTimeOffset? CapturedAt { get; set; }
    public DateTimeOffset? ReleasedAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>Active and not past its expiry: a hold stops holding the instant it expires, before the job records it.</summary>
    public bool IsActiveAt(DateTimeOffset now) => Status == HoldStatus.Active && !IsDueAt(now);

    public bool IsDueAt(DateTimeOffset now) => Status == HoldStatus.Active && ExpiresAt <= now;

    /// <summary>The hold as it stands at <paramref name="now"/>: one past its expiry reads as expired from that instant.</summary>
    public Hold AsOf(DateTimeOffset now)
    {
        if (!IsDueAt(now)) return this;
        var seen = (Hold)MemberwiseClone();
        seen.Status = HoldStatus.Expired;
        seen.ReleasedAt = seen.UpdatedAt = ExpiresAt!.Value;
        return seen;
    }
}

/// <summary>One grant's part of a hold, in the order a capture draws them.</summary>
public sealed record HoldReservation(Guid GrantId, long Cents);

public static class HoldStatus
{
    public const string Active = "active";
    public const string Captured = "captured";
    public const string Released = "released";
    public const string Expired = "expired";

    public static readonly IReadOnlySet<string> All = new HashSet<string> { Active, Captured, Released, Expired };
}
