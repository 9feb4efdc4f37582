using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using System.Net;
using Wallets.Api.Tests.Infrastructure;

namespace Wallets.Api.Tests.Foundation;

public sealed class ErrorBodyTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task A_body_without_its_root_key_is_a_400_naming_the_key()
    {
        var client = await api.NewOrganizationClientAsync();
        var reply = await client.PostAsync("/api/v1/customers", new { external_id = "x" });
        Assert.Equal("""{"status":400,"error":"BadRequest: param is missing or the value is empty or invalid: customer"}""",
            reply.Expect(HttpStatusCode.BadRequest).ToJsonString());
    }

    [Theory]
    [InlineData("""{"customer":{}}""")]
    [InlineData("""{"customer":null}""")]
    [InlineData("""[]""")]
    public async Task An_empty_or_null_root_is_a_400(string body)
    {
        var client = await api.NewOrganizationClientAsync();
        var reply = await client.PostAsync("/api/v1/customers", body);
        Assert.StartsWith("BadRequest: param is missing", (string?)reply.Expect(HttpStatusCode.BadRequest)["error"]);
    }

    [Fact]
    public async Task Malformed_json_is_a_400()
    {
        var client = await api.NewOrganizationClientAsync();
        var reply = await client.PostAsync("/api/v1/customers", """{"customer": {"external_id": """);
        var body = reply.Expect(HttpStatusCode.BadRequest);
        Assert.Equal(400, (int)body["status"]!);
        Assert.StartsWith("BadRequest:", (string?)body["error"]);
    }

    [Fact]
    public async Task A_nul_character_in_a_query_parameter_is_a_400()
    {
        var client = await api.NewOrganizationClientAsync();
        var reply = await client.GetJsonAsync("/api/v1/subscriptions?external_customer_id=a%00b");
        Assert.Equal("""{"status":400,"error":"BadRequest: a query parameter contains a NUL character"}""", reply.Expect(HttpStatusCode.BadRequest).ToJsonString());
        (await client.GetJsonAsync("/api/v1/subscriptions?external_customer_id=a%2500b")).Ok();
    }

    [Fact]
    public async Task A_value_of_the_wrong_type_is_a_422_on_that_field()
    {
        var client = await api.NewOrganizationClientAsync();
        var reply = await client.PostAsync("/api/v1/customers", new { customer = new { external_id = "x", net_payment_term = new[] { 1 } } });
        reply.ExpectValidation("net_payment_term", "value_is_invalid");
    }

    [Fact]
    public async Task An_unknown_route_is_a_lago_404()
    {
        var client = await api.NewOrganizationClientAsync();
        var reply = await client.GetJsonAsync("/api/v1/no_such_thing");
        Assert.Equal("""{"status":404,"error":"Not Found","code":"resource_not_found"}""", reply.Expect(HttpStatusCode.NotFound).ToJsonString());
    }

    [Fact]
    public async Task A_wrong_verb_is_a_lago_405()
    {
        var client = await api.NewOrganizationClientAsync();
        var reply = await client.SendJsonAsync(HttpMethod.Put, "/api/v1/customers", new { customer = new { external_id = "x" } });
        var body = reply.Expect(HttpStatusCode.MethodNotAllowed);
        Assert.Equal(405, (int)body["status"]!);
        Assert.Equal("Method Not Allowed", (string?)body["error"]);
        Assert.NotNull((string?)body["code"]);
    }

    [Fact]
    public async Task A_missing_resource_is_a_lago_404_with_its_code()
    {
        var client = await api.NewOrganizationClientAsync();
        (await client.GetJsonAsync("/api/v1/customers/missing")).ExpectNotFound("customer");
    }
}

public sealed class UnexpectedErrorTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task An_unexpected_exception_is_a_bare_lago_500_without_details()
    {
        var throwing = api.WithWebHostBuilder(b => b.ConfigureServices(s =>
            s.AddSingleton<Microsoft.AspNetCore.Hosting.IStartupFilter, ThrowOnBoom>()));
        var reply = await Reply.From(await throwing.CreateClient().GetAsync("/boom"));
        Assert.Equal("""{"status":500,"error":"Internal Server Error"}""", reply.Expect(HttpStatusCode.InternalServerError).ToJsonString());
        Assert.DoesNotContain("secret", reply.Text);
    }

    private sealed class ThrowOnBoom : Microsoft.AspNetCore.Hosting.IStartupFilter
    {
        // Added after the app's own pipeline, so the app's exception handler is the one that catches it.
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            next(app);
            app.Run(_ => throw new InvalidOperationException("secret details"));
        };
    }
}
