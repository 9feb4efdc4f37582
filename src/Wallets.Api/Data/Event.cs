using System.Text.Json.Nodes;

namespace Wallets.Api.Data;

/// <summary>A usage event as the client sent it.</summary>
public sealed class Event
{
    public Guid Id { get; set; }
    public Guid OrganizationId { get; set; }
    public required string TransactionId { get; set; }
    public string ExternalSubscriptionId { get; set; } = "";
    public string? ExternalCustomerId { get; set; }
    public required string Code { get; set; }
    public DateTimeOffset Timestamp { get; set; }
    public JsonObject Properties { get; set; } = [];
    public decimal? PreciseTotalAmountCents { get; set; }
    public string TargetWalletCode { get; set; } = "";
    public Guid? SubscriptionId { get; set; }
    public Guid? CustomerId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>Usage of one charge of one subscription in one billing period, for one target wallet group ('' = none).</summary>
public sealed class ChargeUsage
{
    public Guid OrganizationId { get; set; }
    public Guid SubscriptionId { get; set; }
    public Guid ChargeId { get; set; }
    public DateTimeOffset PeriodFrom { get; set; }
    public string TargetWalletCode { get; set; } = "";
    /// <summary>Which copy of the row (see UsageShards): a usage row's units are the sum over its shards.</summary>
    public short Shard { get; set; }
    public decimal Units { get; set; }
    public long EventsCount { get; set; }
    public DateTimeOffset? LatestAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}
