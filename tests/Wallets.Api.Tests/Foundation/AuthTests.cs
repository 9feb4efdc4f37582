using System.Net;
using Wallets.Api.Tests.Infrastructure;

namespace Wallets.Api.Tests.Foundation;

public sealed class AuthTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private const string Unauthorized = """{"status":401,"error":"Unauthorized"}""";

    [Fact]
    public async Task A_request_without_an_authorization_header_is_401()
    {
        var reply = await api.ClientWithKey(null).GetJsonAsync("/api/v1/customers");
        Assert.Equal(Unauthorized, reply.Expect(HttpStatusCode.Unauthorized).ToJsonString());
    }

    [Fact]
    public async Task An_unknown_key_is_401()
    {
        var reply = await api.ClientWithKey("not-a-real-key").GetJsonAsync("/api/v1/customers");
        Assert.Equal(Unauthorized, reply.Expect(HttpStatusCode.Unauthorized).ToJsonString());
    }

    [Theory]
    [InlineData("Bearer")]
    [InlineData("")]
    [InlineData("Basic")]
    public async Task A_malformed_authorization_header_is_401(string header)
    {
        var client = api.ClientWithKey(null);
        client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", header);
        var reply = await client.GetJsonAsync("/api/v1/customers");
        Assert.Equal(Unauthorized, reply.Expect(HttpStatusCode.Unauthorized).ToJsonString());
    }

    [Fact]
    public async Task A_write_with_an_unknown_key_is_401_and_writes_nothing()
    {
        var reply = await api.ClientWithKey("nope").PostAsync("/api/v1/customers", new { customer = new { external_id = "intruder" } });
        Assert.Equal(Unauthorized, reply.Expect(HttpStatusCode.Unauthorized).ToJsonString());
        Assert.Equal(0L, await api.ScalarAsync<long>("SELECT count(*) FROM customers WHERE external_id = 'intruder'"));
    }

    [Fact]
    public async Task A_valid_key_is_accepted_and_health_needs_none()
    {
        var client = await api.NewOrganizationClientAsync();
        (await client.GetJsonAsync("/api/v1/customers")).Ok();
        var anonymous = api.ClientWithKey(null);
        Assert.Equal("alive", (string?)(await anonymous.GetJsonAsync("/health")).Ok()["status"]);
        Assert.Equal("ready", (string?)(await anonymous.GetJsonAsync("/health/ready")).Ok()["status"]);
    }

    [Fact]
    public async Task Every_response_carries_a_request_id()
    {
        var reply = await api.ClientWithKey(null).GetJsonAsync("/api/v1/customers");
        Assert.False(string.IsNullOrEmpty(reply.Message.Headers.GetValues("X-Request-Id").Single()));
    }
}
