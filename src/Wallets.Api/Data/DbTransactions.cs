using Microsoft.EntityFrameworkCore;
using Wallets.Api.Features.Events;

namespace Wallets.Api.Data;

public static class DbTransactions
{
    /// <summary>
    /// Stops the organization's event ingestion until the transaction ends (see <see cref="EventStatement.ShareOrganizationsSql"/>):
    /// taken before billing a termination, so no event is counted after the usage was read. Whatever takes it takes
    /// it before a customer lock, so terminations and customer deletions never wait for each other in a circle.
    /// </summary>
    public static Task LockEventsAsync(this WalletsDbContext db, Guid organizationId, CancellationToken ct) =>
        db.Database.ExecuteSqlRawAsync(EventStatement.LockOrganizationSql, [organizationId], ct);
}
