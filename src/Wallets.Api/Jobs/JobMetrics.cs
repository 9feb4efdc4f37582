using System.Diagnostics.Metrics;

namespace Wallets.Api.Jobs;

/// <summary>
/// The background jobs' counters, on the meter `Wallets` (read them with `dotnet-counters monitor --counters Wallets`, or
/// export them with OpenTelemetry). Billing: invoices made, batches that rolled back and were billed again one
/// subscription at a time, and subscriptions that failed alone (each also logged as an error, and tried again on the next
/// run). Recurring top-ups: wallets topped up, and wallets whose top-up failed (logged as errors, tried again next
/// round), each tagged with the rule's `trigger`. Expiry: wallets terminated, and those whose termination failed (logged as
/// errors, tried again next round). Grant expiry: grants whose expiry the job voided, and wallets whose expiries failed
/// (logged as errors, tried again next round).
/// </summary>
public sealed class JobMetrics
{
    public const string MeterName = "Wallets";

    public JobMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        Invoices = meter.CreateCounter<long>("wallets.billing.invoices", "{invoice}", "Subscription invoices the billing job made.");
        BatchesRetried = meter.CreateCounter<long>("wallets.billing.batches_retried", "{batch}",
            "Billing batches that rolled back and were billed again one subscription at a time.");
        SubscriptionsFailed = meter.CreateCounter<long>("wallets.billing.subscriptions_failed", "{subscription}",
            "Subscriptions the billing job could not bill, even alone; tried again on its next run.");
        TopUps = meter.CreateCounter<long>("wallets.top_ups", "{wallet}", "Wallets topped up by a recurring transaction rule (tag: trigger).");
        TopUpsFailed = meter.CreateCounter<long>("wallets.top_ups.failed", "{wallet}",
            "Recurring top-ups that failed with an error (tag: trigger); tried again on the job's next round.");
        WalletsExpired = meter.CreateCounter<long>("wallets.expiry.wallets", "{wallet}", "Wallets the expiry job terminated.");
        ExpiriesFailed = meter.CreateCounter<long>("wallets.expiry.failed", "{wallet}",
            "Expired wallets whose termination failed with an error (logged); tried again on the job's next round.");
        GrantsExpired = meter.CreateCounter<long>("wallets.grant_expiry.grants", "{grant}", "Grants whose expiry the grant expiry job voided.");
        GrantExpiriesFailed = meter.CreateCounter<long>("wallets.grant_expiry.failed", "{wallet}",
            "Wallets whose grant expiries failed with an error (logged); tried again on the job's next round.");
    }

    public Counter<long> Invoices { get; }

    public Counter<long> BatchesRetried { get; }

    public Counter<long> SubscriptionsFailed { get; }

    public Counter<long> TopUps { get; }

    public Counter<long> TopUpsFailed { get; }

    public Counter<long> WalletsExpired { get; }

    public Counter<long> ExpiriesFailed { get; }

    public Counter<long> GrantsExpired { get; }

    public Counter<long> GrantExpiriesFailed { get; }
}
