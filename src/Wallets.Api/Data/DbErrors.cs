using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Wallets.Api.Data;

public static class DbErrors
{
    /// <summary>True when the save lost a race against a unique index (another request wrote the same code first).</summary>
    public static bool IsUniqueViolation(this DbUpdateException e) =>
        e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };
}
