using System.Text.Json.Nodes;

namespace Wallets.Api.Tests.Infrastructure;

/// <summary>Short ways to make the customers, wallets and transactions a test starts from.</summary>
public static class WalletSetup
{
    public static async Task<string> CustomerAsync(this HttpClient client, string externalId, string? currency = null)
    {
        (await client.PostAsync("/api/v1/customers", new { customer = new { external_id = externalId, currency } })).Ok();
        return externalId;
    }

    /// <summary>Creates a wallet (customer included) and returns the wallet object.</summary>
    public static async Task<JsonNode> WalletAsync(this HttpClient client, string customer, object? extra = null, string rate = "1", string currency = "USD")
    {
        await client.CustomerAsync(customer);
        var body = JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(extra ?? new { }))!.AsObject();
        body["external_customer_id"] = customer;
        body["rate_amount"] = rate;
        body["currency"] = currency;
        return (await client.PostAsync("/api/v1/wallets", new { wallet = body })).Ok()["wallet"]!;
    }

    /// <summary>POST /wallet_transactions and return the created transactions.</summary>
    public static async Task<JsonArray> TransactAsync(this HttpClient client, string walletId, object fields)
    {
        var body = JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(fields))!.AsObject();
        body["wallet_id"] = walletId;
        return (await client.PostAsync("/api/v1/wallet_transactions", new { wallet_transaction = body })).Ok()["wallet_transactions"]!.AsArray();
    }

    public static async Task<JsonNode> GetWalletAsync(this HttpClient client, string walletId) =>
        (await client.GetJsonAsync($"/api/v1/wallets/{walletId}")).Ok()["wallet"]!;

    public static string Id(this JsonNode node) => (string)node["lago_id"]!;
}
