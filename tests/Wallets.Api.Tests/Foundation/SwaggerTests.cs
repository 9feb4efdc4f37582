using Wallets.Api.Tests.Infrastructure;

namespace Wallets.Api.Tests.Foundation;

public sealed class SwaggerTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task The_openapi_document_lists_the_api_with_bearer_auth_and_the_ui_is_served()
    {
        var client = api.ClientWithKey(null);
        var document = (await client.GetJsonAsync("/swagger/v1/swagger.json")).Ok();
        Assert.Equal("bearer", (string?)document["components"]!["securitySchemes"]!["bearer"]!["scheme"]);
        var paths = document["paths"]!.AsObject().Select(p => p.Key).ToHashSet();
        foreach (var path in new[]
        {
            "/api/v1/customers", "/api/v1/wallets", "/api/v1/wallets/{lago_id}", "/api/v1/customers/{external_customer_id}/wallets/{code}",
            "/api/v1/wallet_transactions", "/api/v1/wallet_transactions/{lago_id}/consumptions", "/api/v1/wallet_transactions/{lago_id}/fundings",
            "/api/v1/invoices/{lago_id}", "/api/v1/wallets/{lago_id}/metadata",
        })
        {
            Assert.Contains(path, paths);
        }
        var createWallet = document["paths"]!["/api/v1/wallets"]!["post"]!;
        Assert.Equal("createWallet", (string?)createWallet["operationId"]);
        Assert.NotNull(createWallet["requestBody"]);
        var walletSchema = document["components"]!["schemas"]!["Wallets.WalletView"]!;
        Assert.Equal("string", (string?)walletSchema["properties"]!["credits_balance"]!["type"]);

        var ui = await client.GetAsync("/swagger/index.html");
        Assert.True(ui.IsSuccessStatusCode);
    }
}
