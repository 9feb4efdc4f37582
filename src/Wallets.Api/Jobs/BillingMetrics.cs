using System.Diagnostics.Metrics;

namespace Wallets.Api.Jobs;

/// <summary>
/// The billing job's counters, on the meter `Wallets` (read them with `dotnet-counters monitor --counters Wallets`, or
/// export them with OpenTelemetry): invoices made, batches that rolled back and were billed again one subscription at a
/// time, and subscriptions that failed alone (each also logged as an error, and tried again on the next run).
/// </summary>
public sealed class BillingMetrics
{
    public const string MeterName = "Wallets";

    public BillingMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        Invoices = meter.CreateCounter<long>("wallets.billing.invoices", "{invoice}", "Subscription invoices the billing job made.");
        BatchesRetried = meter.CreateCounter<long>("wallets.billing.batches_retried", "{batch}",
            "Billing batches that rolled back and were billed again one subscription at a time.");
        SubscriptionsFailed = meter.CreateCounter<long>("wallets.billing.subscriptions_failed", "{subscription}",
            "Subscriptions the billing job could not bill, even alone; tried again on its next run.");
    }

    public Counter<long> Invoices { get; }

    public Counter<long> BatchesRetried { get; }

    public Counter<long> SubscriptionsFailed { get; }
}
