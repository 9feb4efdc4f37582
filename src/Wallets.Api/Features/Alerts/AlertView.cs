using Wallets.Api.Data;
using Wallets.Api.Http;

namespace Wallets.Api.Features.Alerts;

public sealed record AlertThresholdView(string? Code, decimal Value, bool Recurring);

/// <summary>Lago's wallet alert object; wallet alerts always watch a value going down (`direction: decreasing`).</summary>
public sealed record WalletAlertView(
    Guid LagoId, Guid LagoOrganizationId, string? SubscriptionExternalId, string? ExternalSubscriptionId, Guid LagoWalletId,
    string WalletCode, string AlertType, string Code, string? Name, string Direction, decimal PreviousValue,
    DateTimeOffset? LastProcessedAt, IReadOnlyList<AlertThresholdView> Thresholds, DateTimeOffset CreatedAt, object? BillableMetric)
{
    public const string Decreasing = "decreasing";

    public static WalletAlertView From(WalletAlert a, Wallet wallet) => new(
        a.Id, a.OrganizationId, null, null, a.WalletId, wallet.Code, a.AlertType, a.Code, a.Name, Decreasing, a.PreviousValue,
        a.LastProcessedAt, a.Thresholds.OrderBy(t => t.Position).Select(t => new AlertThresholdView(t.Code, t.Value, t.Recurring)).ToList(),
        a.CreatedAt, null);
}

public sealed record AlertEnvelope(WalletAlertView Alert);

/// <summary>What `POST …/alerts` answers, for the document: `alert` for one, `alerts` for a batch.</summary>
public sealed record AlertCreatedEnvelope(
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] WalletAlertView? Alert,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<WalletAlertView>? Alerts);

public sealed record AlertsEnvelope(
    IReadOnlyList<WalletAlertView> Alerts,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] PageMeta? Meta = null);
