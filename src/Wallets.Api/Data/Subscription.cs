namespace Wallets.Api.Data;

/// <summary>A customer on a plan. Never deleted: terminated (active ones) or canceled (pending ones).</summary>
public sealed class Subscription
{
    public Guid Id { get; set; }
    public Guid OrganizationId { get; set; }
    public Guid CustomerId { get; set; }
    public Guid PlanId { get; set; }
    public required string ExternalId { get; set; }
    public string? Name { get; set; }
    public required string Status { get; set; }
    public required string BillingTime { get; set; }
    public DateTimeOffset SubscriptionAt { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? EndingAt { get; set; }
    public DateTimeOffset? TerminatedAt { get; set; }
    public DateTimeOffset? CanceledAt { get; set; }
    /// <summary>When the next invoice is due (null: not computed yet); the billing job's scan hint only.</summary>
    public DateTimeOffset? NextBillingAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

public static class SubscriptionStatus
{
    public const string Pending = "pending";
    public const string Active = "active";
    public const string Terminated = "terminated";
    public const string Canceled = "canceled";

    public static readonly IReadOnlySet<string> All = new HashSet<string> { Pending, Active, Terminated, Canceled };
}
