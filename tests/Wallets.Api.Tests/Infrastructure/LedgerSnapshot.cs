using System.Net;
using System.Text.Json.Nodes;

namespace Wallets.Api.Tests.Infrastructure;

/// <summary>
/// Everything a refused request must leave alone, read by SQL: row counts of the ledger tables (and of stored
/// idempotent responses), every wallet's balance, and digests of the rows' mutable columns. Two snapshots are equal
/// when nothing was written.
/// </summary>
public sealed record LedgerSnapshot(
    long Wallets, long Transactions, long Consumptions, long Invoices, long Fees, long IdempotencyKeys, string Balances,
    string WalletRows, string TransactionRows, string InvoiceRows, string CustomerRows, string RuleRows, string HoldRows)
{
    public static async Task<LedgerSnapshot> TakeAsync(ApiFactory api) => new(
        await api.ScalarAsync<long>("SELECT count(*) FROM wallets"),
        await api.ScalarAsync<long>("SELECT count(*) FROM wallet_transactions"),
        await api.ScalarAsync<long>("SELECT count(*) FROM wallet_transaction_consumptions"),
        await api.ScalarAsync<long>("SELECT count(*) FROM invoices"),
        await api.ScalarAsync<long>("SELECT count(*) FROM fees"),
        await api.ScalarAsync<long>("SELECT count(*) FROM idempotency_keys"),
        await api.ScalarAsync<string>("SELECT coalesce(string_agg(code || '=' || balance_cents, ',' ORDER BY created_at, id), '') FROM wallets"),
        await DigestAsync(api, "wallets", """
            id, status, code, name, priority, balance_cents, consumed_amount_cents, held_cents, paid_top_up_min_amount_cents,
            paid_top_up_max_amount_cents, allowed_fee_types, metadata, expiration_at, terminated_at, updated_at
            """),
        await DigestAsync(api, "wallet_transactions", "id, status, remaining_amount_cents, held_cents, invoice_id, settled_at, failed_at, updated_at"),
        await DigestAsync(api, "invoices", "id, status, payment_status, metadata, finalized_at, updated_at"),
        await DigestAsync(api, "customers", "id, currency, updated_at"),
        await DigestAsync(api, "recurring_transaction_rules", "id, status, \"trigger\", \"interval\", paid_credits, granted_credits, threshold_credits, target_ongoing_balance, updated_at"),
        await DigestAsync(api, "holds", "id, status, captured_amount_cents, released_at, updated_at"));

    private static Task<string> DigestAsync(ApiFactory api, string table, string columns) =>
        api.ScalarAsync<string>($"SELECT coalesce(md5(string_agg(concat_ws('|', {columns}), ',' ORDER BY id)), '') FROM {table}");
}

public static class LedgerAssertions
{
    /// <summary>Sends a request that must be refused and asserts the database is exactly as it was before it.</summary>
    public static async Task<Reply> UnchangedAsync(this ApiFactory api, Func<Task<Reply>> request)
    {
        var before = await LedgerSnapshot.TakeAsync(api);
        var reply = await request();
        var after = await LedgerSnapshot.TakeAsync(api);
        Assert.True(before == after, $"the request changed the database ({(int)reply.Status}: {reply.Text})\nbefore: {before}\nafter:  {after}");
        return reply;
    }

    /// <summary>Lago's whole 422 body, exactly: no other field, no other code, codes in this order.</summary>
    public static void ExpectLagoValidation(this Reply reply, string field, params string[] codes)
    {
        var expected = new JsonObject
        {
            ["status"] = 422,
            ["error"] = "Unprocessable Entity",
            ["code"] = "validation_errors",
            ["error_details"] = new JsonObject { [field] = new JsonArray(codes.Select(c => (JsonNode?)c).ToArray()) },
        };
        var body = reply.Expect(HttpStatusCode.UnprocessableEntity);
        Assert.True(JsonNode.DeepEquals(expected, body), $"expected {expected.ToJsonString()}\n     got {reply.Text}");
    }

    public static void ExpectMissingRoot(this Reply reply, string root) =>
        Assert.Equal($$"""{"status":400,"error":"BadRequest: param is missing or the value is empty or invalid: {{root}}"}""",
            reply.Expect(HttpStatusCode.BadRequest).ToJsonString());
}

/// <summary>Setting up customers, wallets and top-ups for the error-case tests; each asserts its own success.</summary>
public static class ValidationSetup
{
    public static async Task NewCustomerAsync(this HttpClient client, string externalId, string? currency = "EUR") =>
        (await client.PostAsync("/api/v1/customers", new { customer = new { external_id = externalId, currency } })).Ok();

    /// <summary>A wallet body: rate 1, EUR, for this customer, plus (or minus, with a null value) the given fields.</summary>
    public static Dictionary<string, object?> WalletBody(string? externalCustomerId, params (string Field, object? Value)[] fields)
    {
        var wallet = new Dictionary<string, object?> { ["rate_amount"] = "1", ["currency"] = "EUR" };
        if (externalCustomerId is not null) wallet["external_customer_id"] = externalCustomerId;
        foreach (var (field, value) in fields) wallet[field] = value;
        return wallet;
    }

    public static async Task<JsonNode> NewWalletAsync(this HttpClient client, string externalCustomerId, params (string Field, object? Value)[] fields) =>
        (await client.PostAsync("/api/v1/wallets", new { wallet = WalletBody(externalCustomerId, fields) })).Ok()["wallet"]!;

    /// <summary>A customer in EUR with one wallet (rate 1); returns the wallet's lago_id.</summary>
    public static async Task<string> CustomerWithWalletAsync(this HttpClient client, string externalCustomerId, params (string Field, object? Value)[] fields)
    {
        await client.NewCustomerAsync(externalCustomerId);
        return (string)(await client.NewWalletAsync(externalCustomerId, fields))["lago_id"]!;
    }

    public static Task<Reply> TopUpAsync(this HttpClient client, string walletId, params (string Field, object? Value)[] fields)
    {
        var body = new Dictionary<string, object?> { ["wallet_id"] = walletId };
        foreach (var (field, value) in fields) body[field] = value;
        return client.PostAsync("/api/v1/wallet_transactions", new { wallet_transaction = body });
    }

    /// <summary>A settled grant of <paramref name="credits"/>; returns its lago_id.</summary>
    public static async Task<string> GrantAsync(this HttpClient client, string walletId, string credits) =>
        (string)(await client.TopUpAsync(walletId, ("granted_credits", credits))).Ok()["wallet_transactions"]![0]!["lago_id"]!;

    /// <summary>A pending purchase of <paramref name="credits"/>; returns the transaction and its credit invoice's lago_id.</summary>
    public static async Task<(string Transaction, string Invoice)> PurchaseAsync(this HttpClient client, string walletId, string credits)
    {
        var purchase = (await client.TopUpAsync(walletId, ("paid_credits", credits))).Ok()["wallet_transactions"]![0]!;
        return ((string)purchase["lago_id"]!, (string)purchase["lago_invoice_id"]!);
    }

    /// <summary>A pool-wide void of <paramref name="credits"/>; returns the outbound transaction's lago_id.</summary>
    public static async Task<string> VoidAsync(this HttpClient client, string walletId, string credits) =>
        (string)(await client.TopUpAsync(walletId, ("voided_credits", credits))).Ok()["wallet_transactions"]![0]!["lago_id"]!;

    public static async Task<long> BalanceCentsAsync(this ApiFactory api, string walletId) =>
        await api.ScalarAsync<long>("SELECT balance_cents FROM wallets WHERE id = @id", ("id", Guid.Parse(walletId)));
}
