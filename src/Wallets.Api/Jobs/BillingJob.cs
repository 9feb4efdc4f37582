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
public sealed class BillingJob(IServiceScopeFactory scopes, TimeProvider clock, IConfiguration configuration, ILogger<BillingJob> logger)
    : ClockJob(clock, logger)
{
    protected override TimeSpan Period => TimeSpan.FromMinutes(1);

    /// <summary>Concurrent workers per run (`Jobs:BillingWorkers`, default 4): billing waits on the database more than on the CPU.</summary>
    public int Workers { get; set; } = Math.Max(1, configuration.GetValue("Jobs:BillingWorkers", 4));

    public override async Task<int> RunOnceAsync(CancellationToken ct)
    {
        var now = Clock.GetUtcNow();
        var failed = new ConcurrentDictionary<Guid, byte>();
        var invoices = await Task.WhenAll(Enumerable.Range(0, Workers).Select(_ => Task.Run(() => WorkAsync(now, failed, ct), ct)));
        return invoices.Sum();
    }

    /// <summary>Claims and bills due subscriptions one at a time until none is left (or all that are left failed in this run).</summary>
    private async Task<int> WorkAsync(DateTimeOffset now, ConcurrentDictionary<Guid, byte> failed, CancellationToken ct)
    {
        var invoices = 0;
        while (!ct.IsCancellationRequested)
        {
            using var scope = scopes.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<WalletsDbContext>();
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var skip = failed.Keys.ToArray();
            // One worker of one process bills a subscription at a time: rows held by another worker are skipped, not waited for.
            var claimed = await db.Subscriptions.FromSql($"""
                SELECT * FROM subscriptions
                WHERE status = 'active' AND (next_billing_at IS NULL OR next_billing_at <= {now}) AND NOT (id = ANY({skip}))
                ORDER BY next_billing_at NULLS FIRST, id
                LIMIT 1 FOR UPDATE SKIP LOCKED
                """).IgnoreQueryFilters().ToListAsync(ct);
            if (claimed is not [var subscription]) return invoices;

            scope.ServiceProvider.GetRequiredService<Tenant>().OrganizationId = subscription.OrganizationId;
            try
            {
                var made = await scope.ServiceProvider.GetRequiredService<SubscriptionInvoicing>().BillDueAsync(subscription, now, ct);
                await db.SaveChangesAsync(ct);
                await tx.CommitAsync(ct);
                invoices += made;
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                // Rolled back whole; tried again on the next run, not in this one.
                failed[subscription.Id] = 0;
                logger.LogError(e, "Billing subscription {Subscription} failed", subscription.Id);
            }
        }
        return invoices;
    }
}
