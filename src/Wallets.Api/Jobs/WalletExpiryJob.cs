using Microsoft.EntityFrameworkCore;
using Wallets.Api.Data;
using Wallets.Api.Features.Wallets;
using Wallets.Api.Http;

namespace Wallets.Api.Jobs;

/// <summary>
/// Terminates active wallets whose `expiration_at` has passed (voiding what they hold, traced). Safe with several
/// API processes: each wallet is claimed with `FOR UPDATE SKIP LOCKED`, and termination is idempotent.
/// </summary>
public sealed class WalletExpiryJob(IServiceScopeFactory scopes, TimeProvider clock, ILogger<WalletExpiryJob> logger) : ClockJob(clock, logger)
{
    protected override TimeSpan Period => TimeSpan.FromMinutes(1);

    public override async Task<int> RunOnceAsync(CancellationToken ct)
    {
        var now = Clock.GetUtcNow();
        List<(Guid Id, Guid OrganizationId)> due;
        using (var scope = scopes.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<WalletsDbContext>();
            due = (await db.Wallets.IgnoreQueryFilters()
                    .Where(w => w.Status == WalletStatus.Active && w.ExpirationAt <= now)
                    .OrderBy(w => w.ExpirationAt).Take(1000)
                    .Select(w => new { w.Id, w.OrganizationId }).ToListAsync(ct))
                .Select(w => (w.Id, w.OrganizationId)).ToList();
        }

        var terminated = 0;
        foreach (var (id, organizationId) in due)
        {
            using var scope = scopes.CreateScope();
            scope.ServiceProvider.GetRequiredService<Tenant>().OrganizationId = organizationId;
            var db = scope.ServiceProvider.GetRequiredService<WalletsDbContext>();
            await using var tx = await scope.ServiceProvider.GetRequiredService<RequestTransaction>().BeginAsync(ct);
            // Another process working on this wallet right now will finish the job; skip it.
            var claimed = await db.Wallets.FromSql($"SELECT * FROM wallets WHERE id = {id} AND status = 'active' FOR UPDATE SKIP LOCKED").AnyAsync(ct);
            if (!claimed) continue;
            var result = await scope.ServiceProvider.GetRequiredService<WalletHandler>().TerminateAsync(id, ct);
            await tx.CommitAsync(ct);
            if (result.IsOk) terminated++;
        }
        return terminated;
    }
}
