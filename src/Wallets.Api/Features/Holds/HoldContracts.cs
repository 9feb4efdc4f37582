using Wallets.Api.Data;
using Wallets.Api.Http;
using Wallets.Api.Http.OpenApi;

namespace Wallets.Api.Features.Holds;

/// <summary>`POST /wallets/{id}/holds` and `POST /holds/{id}/capture` bodies (the capture reads only `credits`).</summary>
public sealed class HoldInput : Input
{
    [WireType(typeof(decimal?))] public string? Credits { get; init; }
    [WireType(typeof(DateTimeOffset?))] public string? ExpiresAt { get; init; }
    public string? ExternalId { get; init; }
    public Dictionary<string, string?>? Metadata { get; init; }
}

public sealed record HoldRequestBody(HoldInput Hold);

public sealed record HoldEnvelope(HoldView Hold);

public sealed record HoldsPage(IReadOnlyList<HoldView> Holds, PageMeta Meta);

/// <summary>
/// A hold as the API and its webhooks show it. Credits are decimal strings (`"10.0"`) like Lago's; `captured_*` and
/// `lago_wallet_transaction_id` (the capture's outbound transaction) are set once captured; `released_at` is when
/// it stopped holding credits (for an expired hold, its `expires_at`).
/// </summary>
public sealed record HoldView(
    Guid LagoId,
    Guid LagoWalletId,
    Guid LagoCustomerId,
    string ExternalId,
    string Status,
    decimal Credits,
    long AmountCents,
    decimal? CapturedCredits,
    long? CapturedAmountCents,
    Guid? LagoWalletTransactionId,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset? CapturedAt,
    DateTimeOffset? ReleasedAt,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    IReadOnlyDictionary<string, string?> Metadata)
{
    public static HoldView From(Hold h) => new(
        h.Id, h.WalletId, h.CustomerId, h.ExternalId, h.Status, h.Credits, h.AmountCents, h.CapturedCredits, h.CapturedAmountCents,
        h.WalletTransactionId, h.ExpiresAt, h.CapturedAt, h.ReleasedAt, h.CreatedAt, h.UpdatedAt, h.Metadata ?? []);
}
