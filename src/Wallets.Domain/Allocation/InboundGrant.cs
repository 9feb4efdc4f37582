namespace Wallets.Domain.Allocation;

/// <summary>A settled inbound transaction as the consumption engine sees it.</summary>
/// <param name="Granted">True for granted credits (transaction_status granted), false for purchased ones.</param>
/// <param name="ExpirationAt">When its remaining credits expire (null: never).</param>
public sealed record InboundGrant(Guid Id, int Priority, bool Granted, DateTimeOffset CreatedAt, long RemainingCents, DateTimeOffset? ExpirationAt = null);

/// <summary>One consumption row: <paramref name="Cents"/> taken from the inbound transaction <paramref name="InboundId"/>.</summary>
public sealed record Consumption(Guid InboundId, long Cents);
