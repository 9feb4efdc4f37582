namespace Wallets.Api.Telemetry;

/// <summary>A count an operator watches, read by one SQL statement whose one parameter, `@now`, is the service's clock.</summary>
public sealed record Backlog(string Name, string Unit, string Description, string Sql);

/// <summary>The backlogs, each an observable gauge on the `Wallets` meter (sampled by <see cref="BacklogSampler"/>). A new one is one line here.</summary>
public static class Backlogs
{
    public static readonly Backlog[] All =
    [
        // The billing job's own claim condition (Jobs/BillingJob.cs): what it would bill if it ran now.
        new("wallets.billing.backlog", "{subscription}", "Active subscriptions whose billing period has ended and that are not billed yet.",
            "SELECT count(*) FROM subscriptions WHERE status = 'active' AND (next_billing_at IS NULL OR next_billing_at <= @now)"),
        new("wallets.webhooks.backlog", "{webhook}", "Webhooks not yet delivered (pending, including those waiting for a retry).",
            "SELECT count(*) FROM webhooks WHERE status = 'pending'"),
    ];
}
