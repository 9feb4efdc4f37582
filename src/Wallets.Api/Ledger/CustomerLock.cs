using Microsoft.EntityFrameworkCore;
using Npgsql;
using Wallets.Api.Data;

namespace Wallets.Api.Ledger;

/// <summary>
/// The customer lock (DESIGN.md 10): every change to a customer's wallet balances (top-ups, voids, settlements,
/// invoices, termination, expiry) runs in a transaction that first holds it, so no balance is computed from a stale
/// read. One key (the customer id's text hashed) and one order (customer ids ascending, as PostgreSQL sorts uuids),
/// so two transactions locking several customers never wait for each other in a circle. Transaction-scoped: released
/// at commit or rollback.
/// </summary>
public static class CustomerLock
{
    /// <summary>The lock of the customer named by the SQL expression <paramref name="customerId"/> (a uuid).</summary>
    public static string Sql(string customerId) => $"pg_advisory_xact_lock(hashtextextended({customerId}::text, 0))";

    // Sorted before locking (OFFSET 0 keeps the sort below the lock calls), so every multi-customer lock takes one order.
    private static readonly string CustomersSql =
        $"SELECT count({Sql("c")}) FROM (SELECT DISTINCT c FROM unnest(@customers::uuid[]) AS c ORDER BY c OFFSET 0) AS sorted";

    // The customers of these wallets, in the same order.
    private static readonly string WalletsSql =
        $"SELECT count({Sql("c")}) FROM (SELECT DISTINCT customer_id AS c FROM wallets WHERE id = ANY($1) ORDER BY c OFFSET 0) AS sorted";

    // The customers of these wallets and of the wallets of these holds, in the same order.
    private static readonly string WalletsAndHoldsSql = $"""
        SELECT count({Sql("c")}) FROM (SELECT DISTINCT c FROM (SELECT customer_id FROM wallets WHERE id = ANY($1)
            UNION ALL SELECT customer_id FROM holds WHERE id = ANY($2)) AS x (c) ORDER BY c OFFSET 0) AS sorted
        """;

    public static Task LockCustomerAsync(this WalletsDbContext db, Guid customerId, CancellationToken ct) => db.LockCustomersAsync([customerId], ct);

    public static Task LockCustomersAsync(this WalletsDbContext db, IReadOnlyCollection<Guid> customerIds, CancellationToken ct) =>
        db.Database.ExecuteSqlRawAsync(CustomersSql, [new NpgsqlParameter("customers", customerIds.ToArray())], ct);

    /// <summary>Locks the customer of one wallet of the tenant in the same round trip that finds it; false when there is none.</summary>
    public static Task<bool> LockWalletCustomerAsync(this WalletsDbContext db, Guid walletId, Guid organizationId, CancellationToken ct) =>
        db.Database.SqlQueryRaw<int>(WalletOfTenantSql, new NpgsqlParameter("wallet", walletId), new NpgsqlParameter("organization", organizationId)).AnyAsync(ct);

    private static readonly string WalletOfTenantSql =
        $"""SELECT 1 AS "Value" FROM wallets WHERE id = @wallet AND organization_id = @organization AND {Sql("customer_id")} IS NOT NULL""";

    /// <summary>For a raw batch: locks the customers of these wallets (a group commit's first statement).</summary>
    public static NpgsqlBatchCommand ForWallets(Guid[] walletIds) =>
        new(WalletsSql) { Parameters = { new NpgsqlParameter { Value = walletIds } } };

    /// <summary>For a raw batch: locks the customers of these wallets and of these holds' wallets (a hold batch's first statement).</summary>
    public static NpgsqlBatchCommand ForWalletsAndHolds(Guid[] walletIds, Guid[] holdIds) =>
        new(WalletsAndHoldsSql) { Parameters = { new NpgsqlParameter { Value = walletIds }, new NpgsqlParameter { Value = holdIds } } };
}
