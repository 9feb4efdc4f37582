namespace Wallets.Api.Data;

/// <summary>A URL an organization registered to receive webhooks (Lago's webhook endpoint).</summary>
public sealed class WebhookEndpoint
{
    public Guid Id { get; set; }
    public Guid OrganizationId { get; set; }
    public required string WebhookUrl { get; set; }
    public string SignatureAlgo { get; set; } = "jwt";
    public string? Name { get; set; }
    /// <summary>The types it receives; null for every type.</summary>
    public List<string>? EventTypes { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>One delivery of one webhook to one endpoint: the outbox row, then its delivery record.</summary>
public sealed class Webhook
{
    public Guid Id { get; set; }
    public Guid OrganizationId { get; set; }
    public Guid WebhookEndpointId { get; set; }
    public required string WebhookType { get; set; }
    public required string ObjectType { get; set; }
    /// <summary>The body sent, as JSON text.</summary>
    public required string Payload { get; set; }
    public string Status { get; set; } = WebhookStatus.Pending;
    public int Attempts { get; set; }
    public DateTimeOffset? NextAttemptAt { get; set; }
    public DateTimeOffset? LastAttemptAt { get; set; }
    public int? HttpStatus { get; set; }
    public string? LastError { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

public static class WebhookStatus
{
    public const string Pending = "pending";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
}
