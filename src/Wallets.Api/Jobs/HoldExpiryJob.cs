using Microsoft.EntityFrameworkCore;
using Wallets.Api.Data;
using Wallets.Api.Ledger;

namespace Wallets.Api.Jobs;

/// <summary>
/// Ends the active holds whose `expires_at` has passed (status `expired`, `hold.expired`), giving their credits back.
/// A hold stops holding the instant it expires: reads show it expired and every write to its wallet ends it first;
/// this job records it for the wallets nothing writes to. Each hold goes through the ledger's group commit under its
/// customer's lock, where a hold already ended (by another process, or a write) is left as it is, so several processes
/// may run it at once.
/// </summary>
public sealed class HoldExpiryJob(IServiceScopeFactory scopes, LedgerWriter writer, IConfiguration configuration, TimeProvider clock, ILogger<HoldExpiryJob> logger)
    : ClockJob(clock, logger)
{
    private const int Page = 1000;

    protected override TimeSpan Period => TimeSpan.FromSeconds(Math.Max(1, configuration.GetValue("Jobs:HoldExpirySeconds", 1)));

    public override async Task<int> RunOnceAsync(CancellationToken ct)
    {
        var now = Clock.GetUtcNow();
        var expired = 0;
        while (true)
        {
            List<(Guid Id, Guid OrganizationId)> due;
            using (var scope = scopes.CreateScope())
            {
                due = (await scope.ServiceProvider.GetRequiredService<WalletsDbContext>().Holds.IgnoreQueryFilters()
                    .Where(h => h.Status == HoldStatus.Active && h.ExpiresAt <= now).OrderBy(h => h.ExpiresAt).Take(Page)
                    .Select(h => new { h.Id, h.OrganizationId }).ToListAsync(ct)).ConvertAll(h => (h.Id, h.OrganizationId));
            }
            // Submitted together, so they are written in a few batches.
            var results = await Task.WhenAll(due.Select(h => writer.WriteAsync(new HoldRequest(HoldAction.Expire, h.OrganizationId, h.Id), ct)));
            var ended = results.Count(r => r.Value?.Status == HoldStatus.Expired);
            expired += ended;
            // A hold that cannot be ended (its customer was deleted) must not keep the round going.
            if (due.Count < Page || ended == 0) return expired;
        }
    }
}
