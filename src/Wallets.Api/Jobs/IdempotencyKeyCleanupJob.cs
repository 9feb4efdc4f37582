using Microsoft.EntityFrameworkCore;
using Wallets.Api.Data;

namespace Wallets.Api.Jobs;

/// <summary>Idempotency keys are kept 24 hours at least; this forgets them after 48.</summary>
public sealed class IdempotencyKeyCleanupJob(IServiceScopeFactory scopes, TimeProvider clock, ILogger<IdempotencyKeyCleanupJob> logger) : ClockJob(clock, logger)
{
    public static readonly TimeSpan KeptFor = TimeSpan.FromHours(48);

    protected override TimeSpan Period => TimeSpan.FromHours(1);

    public override async Task<int> RunOnceAsync(CancellationToken ct)
    {
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<WalletsDbContext>();
        var before = Clock.GetUtcNow() - KeptFor;
        return await db.IdempotencyKeys.IgnoreQueryFilters().Where(k => k.CreatedAt < before).ExecuteDeleteAsync(ct);
    }
}
