using System.Text.Json;
using Npgsql;
using Wallets.Api.Data;
using Wallets.Api.Http;

namespace Wallets.Api.Features.Wallets;

/// <summary>A wallet as answers show it (its customer holds only the external id), and whether the customer has an active subscription.</summary>
public sealed record WalletRead(Wallet Wallet, bool Subscribed);

/// <summary>
/// Wallet reads for GET answers, straight from the pool: one prepared statement, only the columns the answer shows,
/// untracked. Balance reads are the hot path, and EF Core's query pipeline and materialization cost more than the query.
/// The conditions on the organization and on deleted customers are those of the DbContext's query filters.
/// </summary>
public sealed class WalletReads(NpgsqlDataSource dataSource, Tenant tenant)
{
    internal const string Select = """
        SELECT w.id, w.customer_id, c.external_id, w.status, w.name, w.code, w.priority, w.currency, w.rate_amount, w.balance_cents,
               w.consumed_amount_cents, w.invoice_requires_successful_payment, w.paid_top_up_min_amount_cents, w.paid_top_up_max_amount_cents,
               w.allowed_fee_types, w.billable_metric_codes, w.metadata::text, w.expiration_at, w.terminated_at, w.last_balance_sync_at,
               w.last_consumed_credit_at, w.created_at,
               EXISTS (SELECT 1 FROM subscriptions s WHERE s.customer_id = w.customer_id AND s.status = 'active'),
               (SELECT to_jsonb(r)::text FROM recurring_transaction_rules r WHERE r.wallet_id = w.id AND r.status = 'active'), w.held_cents
        FROM wallets w JOIN customers c ON c.id = w.customer_id AND c.deleted_at IS NULL
        """;

    /// <summary>The active wallet with that code wins over terminated ones that once had it.</summary>
    public async Task<Result<WalletRead>> ByCodeAsync(string externalCustomerId, string code, CancellationToken ct)
    {
        var found = await ReadAsync($"""
            {Select} WHERE w.organization_id = $1 AND c.external_id = $2 AND w.code = $3
            ORDER BY w.status <> 'active', w.created_at DESC LIMIT 1
            """, ct, externalCustomerId, code);
        if (found.Count > 0) return found[0];
        return await CustomerIdAsync(externalCustomerId, ct) is null ? LagoError.NotFound("customer") : LagoError.NotFound("wallet");
    }

    public async Task<Guid?> CustomerIdAsync(string externalId, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT id FROM customers WHERE organization_id = $1 AND external_id = $2 AND deleted_at IS NULL");
        command.Parameters.Add(new NpgsqlParameter { Value = tenant.OrganizationId });
        command.Parameters.Add(new NpgsqlParameter { Value = externalId });
        return await command.ExecuteScalarAsync(ct) as Guid?;
    }

    /// <summary>A page of the organization's wallets (or one customer's), newest first, optionally of one currency.</summary>
    public async Task<Page<WalletRead>> PageAsync(PageRequest page, Guid? customerId, string? currency, CancellationToken ct)
    {
        var where = "w.organization_id = $1";
        List<object> parameters = [];
        if (customerId is { } customer) where += $" AND w.customer_id = ${Add(customer)}";
        if (currency is not null) where += $" AND w.currency = ${Add(currency)}";

        await using var count = dataSource.CreateCommand($"SELECT count(*) FROM wallets w JOIN customers c ON c.id = w.customer_id AND c.deleted_at IS NULL WHERE {where}");
        count.Parameters.Add(new NpgsqlParameter { Value = tenant.OrganizationId });
        foreach (var value in parameters) count.Parameters.Add(new NpgsqlParameter { Value = value });
        var total = (long)(await count.ExecuteScalarAsync(ct))!;
        var sql = $"{Select} WHERE {where} ORDER BY w.created_at DESC, w.id LIMIT ${Add(page.PerPage)} OFFSET ${Add(page.Skip)}";
        var rows = total == 0 ? [] : await ReadAsync(sql, ct, [.. parameters]);
        return new Page<WalletRead>(rows, PageMeta.Of(page, total));

        int Add(object value)
        {
            parameters.Add(value);
            return parameters.Count + 1;
        }
    }

    /// <summary>Runs a statement over <see cref="Select"/>; $1 is the organization, the given values follow.</summary>
    private async Task<List<WalletRead>> ReadAsync(string sql, CancellationToken ct, params object[] parameters)
    {
        await using var command = dataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter { Value = tenant.OrganizationId });
        foreach (var value in parameters) command.Parameters.Add(new NpgsqlParameter { Value = value });
        await using var reader = await command.ExecuteReaderAsync(ct);
        var found = new List<WalletRead>();
        while (await reader.ReadAsync(ct)) found.Add(Map(reader, tenant.OrganizationId));
        return found;
    }

    /// <summary>The row <see cref="Select"/> reads, where the reader stands.</summary>
    internal static WalletRead Map(NpgsqlDataReader reader, Guid organizationId)
    {
        var wallet = new Wallet
        {
            Id = reader.GetGuid(0),
            OrganizationId = organizationId,
            CustomerId = reader.GetGuid(1),
            Customer = new Customer { Id = reader.GetGuid(1), OrganizationId = organizationId, ExternalId = reader.GetString(2) },
            Status = reader.GetString(3),
            Name = reader.IsDBNull(4) ? null : reader.GetString(4),
            Code = reader.GetString(5),
            Priority = reader.GetInt32(6),
            Currency = reader.GetString(7),
            RateAmount = reader.GetDecimal(8),
            BalanceCents = reader.GetInt64(9),
            ConsumedAmountCents = reader.GetInt64(10),
            HeldCents = reader.GetInt64(24),
            InvoiceRequiresSuccessfulPayment = reader.GetBoolean(11),
            PaidTopUpMinAmountCents = reader.IsDBNull(12) ? null : reader.GetInt64(12),
            PaidTopUpMaxAmountCents = reader.IsDBNull(13) ? null : reader.GetInt64(13),
            AllowedFeeTypes = reader.GetFieldValue<string[]>(14),
            BillableMetricCodes = reader.GetFieldValue<string[]>(15),
            Metadata = reader.IsDBNull(16) ? null : JsonSerializer.Deserialize<Dictionary<string, string?>>(reader.GetString(16)),
            ExpirationAt = Timestamp(reader, 17),
            TerminatedAt = Timestamp(reader, 18),
            LastBalanceSyncAt = Timestamp(reader, 19),
            LastConsumedCreditAt = Timestamp(reader, 20),
            CreatedAt = reader.GetFieldValue<DateTimeOffset>(21),
            ActiveRule = reader.IsDBNull(23) ? null : JsonColumn.Deserialize<RecurringTransactionRule>(reader.GetString(23)),
        };
        return new WalletRead(wallet, reader.GetBoolean(22));
    }

    private static DateTimeOffset? Timestamp(NpgsqlDataReader reader, int column) =>
        reader.IsDBNull(column) ? null : reader.GetFieldValue<DateTimeOffset>(column);
}
