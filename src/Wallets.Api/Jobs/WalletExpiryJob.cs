using Microsoft.EntityFrameworkCore;
using Wallets.Api.Data;
using Wallets.Api.Features.Wallets;
using Wallets.Api.Http;

namespace Wallets.Api.Jobs;

/// <summary>
/// Terminates active wallets whose `expiration_at` has passed (voiding what they hold, traced). Safe with several
/// API processes: each wallet is claimed with `FOR UPDATE SKIP LOCKED`, and termination is idempotent. A wallet whose
/// termination fails is logged, counted (`wallets.expiry.failed`) and tried again next round; the others go on, and
/// the round pages past it, so failing wallets never hold the rest back.
/// </summary>
public sealed class WalletExpiryJob(
    IServiceScopeFactory scopes, JobMetrics metrics, IConfiguration configuration, TimeProvider clock, ILogger<WalletExpiryJob> logger)
    : ClockJob(clock, logger)
{
    private const int Page = 1000;

    protected override TimeSpan Period => TimeSpan.FromSeconds(Math.Max(1, configuration.GetValue("Jobs:ExpirySeconds", 60)));

    public override async Task<int> RunOnceAsync(CancellationToken ct)
    {
        var now = Clock.GetUtcNow();
        var terminated = 0;
        (DateTimeOffset At, Guid Id)? after = null;
        while (true)
        {
            var due = await DueAsync(now, after, ct);
            foreach (var wallet in due)
            {
                try
                {
                    if (await TerminateAsync(wallet.Id, wallet.OrganizationId, ct)) terminated++;
                }
                catch (Exception e) when (!ct.IsCancellationRequested)
                {
                    metrics.ExpiriesFailed.Add(1);
                    logger.LogError(e, "Terminating expired wallet {Wallet} failed; it is tried again on the next round", wallet.Id);
                }
            }
            if (due.Count < Page) return terminated;
            after = (due[^1].ExpirationAt, due[^1].Id);
        }
    }

    private sealed record Due(Guid Id, Guid OrganizationId, DateTimeOffset ExpirationAt);

    /// <summary>The next page of expired active wallets, in (expiration_at, id) order after <paramref name="after"/>.</summary>
    private async Task<List<Due>> DueAsync(DateTimeOffset now, (DateTimeOffset At, Guid Id)? after, CancellationToken ct)
    {
        using var scope = scopes.CreateScope();
        var query = scope.ServiceProvider.GetRequiredService<WalletsDbContext>().Wallets.IgnoreQueryFilters()
            .Where(w => w.Status == WalletStatus.Active && w.ExpirationAt <= now);
        if (after is var (at, id)) query = query.Where(w => w.ExpirationAt > at || (w.ExpirationAt == at && w.Id.CompareTo(id) > 0));
        return await query.OrderBy(w => w.ExpirationAt).ThenBy(w => w.Id).Take(Page)
            .Select(w => new Due(w.Id, w.OrganizationId, w.ExpirationAt!.Value)).ToListAsync(ct);
    }

    private async Task<bool> TerminateAsync(Guid id, Guid organizationId, CancellationToken ct)
    {
        using var scope = scopes.CreateScope();
        scope.ServiceProvider.GetRequiredService<Tenant>().OrganizationId = organizationId;
        var db = scope.ServiceProvider.GetRequiredService<WalletsDbContext>();
        await using var tx = await scope.ServiceProvider.GetRequiredService<RequestTransaction>().BeginAsync(ct);
        // Another process working on this wallet right now will finish the job; skip it.
        var claimed = await db.Wallets.FromSql($"SELECT * FROM wallets WHERE id = {id} AND status = 'active' FOR UPDATE SKIP LOCKED").AnyAsync(ct);
        if (!claimed) return false;
        var result = await scope.ServiceProvider.GetRequiredService<WalletHandler>().TerminateAsync(id, ct);
        await tx.CommitAsync(ct);
        if (result.IsOk) metrics.WalletsExpired.Add(1);
        return result.IsOk;
    }
}
