using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Wallets.Api.Data;
using Wallets.Api.Features.Invoices;
using Wallets.Api.Http;

namespace Wallets.Api.Jobs;

/// <summary>
/// Bills every active subscription whose billing period has ended (see <see cref="SubscriptionInvoicing"/>), each in
/// its own transaction. Safe with several workers and several API processes: a subscription is claimed with
/// `FOR UPDATE SKIP LOCKED`, what was billed is read under that lock, and the unique indexes of invoice_subscriptions
/// refuse a period billed twice whatever happens.
/// </summary>
public sealed class BillingJob(IServiceScopeFactory scopes, TimeProvider clock, IConfiguration configuration, JobMetrics metrics, ILogger<BillingJob> logger)
    : ClockJob(clock, logger)
{
    protected override TimeSpan Period => TimeSpan.FromSeconds(Math.Max(1, configuration.GetValue("Jobs:BillingSeconds", 60)));

    /// <summary>Concurrent workers per run (`Jobs:BillingWorkers`, default 4): billing waits on the database more than on the CPU.</summary>
    public int Workers { get; set; } = Math.Max(1, configuration.GetValue("Jobs:BillingWorkers", 4));

    /// <summary>
    /// Subscriptions billed per transaction (`Jobs:BillingBatchSize`, default 25): one commit, one read of what was
    /// billed and one set of customer locks for all of them. A batch that fails is retried one subscription at a time.
    /// </summary>
    public int BatchSize { get; set; } = Math.Max(1, configuration.GetValue("Jobs:BillingBatchSize", 25));

    public override async Task<int> RunOnceAsync(CancellationToken ct)
    {
        var now = Clock.GetUtcNow();
        var failed = new ConcurrentDictionary<Guid, byte>();
        var invoices = await Task.WhenAll(Enumerable.Range(0, Workers).Select(_ => Task.Run(() => WorkAsync(now, failed, ct), ct)));
        return invoices.Sum();
    }

    /// <summary>Claims and bills batches of due subscriptions until none is left (or all that are left failed in this run).</summary>
    private async Task<int> WorkAsync(DateTimeOffset now, ConcurrentDictionary<Guid, byte> failed, CancellationToken ct)
    {
        var invoices = 0;
        while (!ct.IsCancellationRequested)
        {
            var (claimed, made) = await BillBatchAsync(now, null, BatchSize, failed.Keys.ToArray(), ct);
            if (claimed.Count == 0) return invoices;
            if (made is { } count)
            {
                invoices += count;
                continue;
            }

            // The batch rolled back whole: bill its subscriptions one by one, so one failure holds back no other.
            metrics.BatchesRetried.Add(1);
            foreach (var id in claimed)
            {
                var (alone, aloneMade) = await BillBatchAsync(now, id, 1, [], ct);
                if (alone.Count > 0 && aloneMade is null)
                {
                    failed[id] = 0;
                    metrics.SubscriptionsFailed.Add(1);
                }
                invoices += aloneMade ?? 0;
            }
        }
        return invoices;
    }

    /// <summary>
    /// One transaction: claims up to <paramref name="size"/> due subscriptions of one organization (or the one given) and bills
    /// them. Returns the claimed ids, and the invoices made (null when it failed and rolled back).
    /// </summary>
    private async Task<(List<Guid> Claimed, int? Invoices)> BillBatchAsync(DateTimeOffset now, Guid? only, int size, Guid[] skip, CancellationToken ct)
    {
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<WalletsDbContext>();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        // A subscription is billed by one worker of one process at a time: rows another worker holds are skipped, not
        // waited for. The batch is one organization's (that of the first due row nobody holds), so it runs as that tenant.
        var claimed = await db.Subscriptions.FromSql($"""
            SELECT * FROM subscriptions
            WHERE status = 'active' AND (next_billing_at IS NULL OR next_billing_at <= {now}) AND NOT (id = ANY({skip}))
              AND ({only}::uuid IS NULL OR id = {only})
              AND organization_id = (
                  SELECT organization_id FROM subscriptions
                  WHERE status = 'active' AND (next_billing_at IS NULL OR next_billing_at <= {now}) AND NOT (id = ANY({skip}))
                    AND ({only}::uuid IS NULL OR id = {only})
                  ORDER BY next_billing_at NULLS FIRST, id LIMIT 1 FOR UPDATE SKIP LOCKED)
            ORDER BY next_billing_at NULLS FIRST, id
            LIMIT {size} FOR UPDATE SKIP LOCKED
            """).IgnoreQueryFilters().ToListAsync(ct);
        if (claimed.Count == 0) return ([], 0);

        scope.ServiceProvider.GetRequiredService<Tenant>().OrganizationId = claimed[0].OrganizationId;
        try
        {
            var made = await scope.ServiceProvider.GetRequiredService<SubscriptionInvoicing>().BillDueAsync(claimed, now, ct);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            metrics.Invoices.Add(made);
            return (claimed.Select(s => s.Id).ToList(), made);
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            // Rolled back whole (disposing the transaction). A batch is tried again one subscription at a time (a deadlock
            // usually passes then), so only a subscription that fails alone is an error; it is tried again on the next run.
            if (only is null)
                logger.LogWarning(e, "Billing {Count} subscription(s) from {First} failed; billing them one at a time", claimed.Count, claimed[0].Id);
            else
                logger.LogError(e, "Billing subscription {Id} failed; it is tried again on the next run", claimed[0].Id);
            return (claimed.Select(s => s.Id).ToList(), null);
        }
    }
}
