using System.Net;
using System.Security.Cryptography;
using System.Text;
using Wallets.Api.Tests.Infrastructure;

namespace Wallets.Api.Tests.Webhooks;

/// <summary>Lago's `/webhook_endpoints` API and its public key routes.</summary>
public sealed class WebhookEndpointApiTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private static object Body(object endpoint) => new { webhook_endpoint = endpoint };

    [Fact]
    public async Task An_endpoint_is_created_read_listed_updated_and_deleted_in_Lagos_shape()
    {
        var client = await api.NewOrganizationClientAsync();
        var created = (await client.PostAsync("/api/v1/webhook_endpoints", Body(new { webhook_url = "https://b.example/hook", name = "EC2" }))).Ok()["webhook_endpoint"]!;
        var id = (string)created["lago_id"]!;
        Assert.Equal("jwt", (string?)created["signature_algo"]);
        Assert.Null(created["event_types"]);
        Assert.Equal("EC2", (string?)created["name"]);
        Assert.False(string.IsNullOrEmpty((string?)created["lago_organization_id"]));
        Assert.EndsWith("Z", (string)created["created_at"]!);
        (await client.PostAsync("/api/v1/webhook_endpoints", Body(new { webhook_url = "https://a.example/hook", signature_algo = "hmac", event_types = new[] { " Wallet.Created ", "wallet.created", "" } }))).Ok();

        var list = (await client.GetJsonAsync("/api/v1/webhook_endpoints?per_page=1")).Ok();
        Assert.Equal(2, (int)list["meta"]!["total_count"]!);
        // Lago orders by URL.
        Assert.Equal("https://a.example/hook", (string?)list["webhook_endpoints"]![0]!["webhook_url"]);
        var second = (await client.GetJsonAsync("/api/v1/webhook_endpoints?page=2&per_page=1")).Ok()["webhook_endpoints"]![0]!;
        Assert.Equal(id, (string?)second["lago_id"]);
        var hmac = (await client.GetJsonAsync("/api/v1/webhook_endpoints?per_page=1")).Ok()["webhook_endpoints"]![0]!;
        Assert.Equal(["wallet.created"], hmac["event_types"]!.AsArray().Select(t => (string)t!));

        var updated = (await client.PutAsync($"/api/v1/webhook_endpoints/{id}", Body(new { signature_algo = "hmac", event_types = new[] { "*" } }))).Ok()["webhook_endpoint"]!;
        Assert.Equal(("hmac", "https://b.example/hook", "EC2"), ((string?)updated["signature_algo"], (string?)updated["webhook_url"], (string?)updated["name"]));
        Assert.Null(updated["event_types"]);
        var emptied = (await client.PutAsync($"/api/v1/webhook_endpoints/{id}", Body(new { event_types = Array.Empty<string>() }))).Ok();
        Assert.Empty(emptied["webhook_endpoint"]!["event_types"]!.AsArray());
        Assert.Equal(id, (string?)(await client.GetJsonAsync($"/api/v1/webhook_endpoints/{id}")).Ok()["webhook_endpoint"]!["lago_id"]);

        Assert.Equal(id, (string?)(await client.DeleteJsonAsync($"/api/v1/webhook_endpoints/{id}")).Ok()["webhook_endpoint"]!["lago_id"]);
        (await client.GetJsonAsync($"/api/v1/webhook_endpoints/{id}")).ExpectNotFound("webhook_endpoint");
        (await client.DeleteJsonAsync($"/api/v1/webhook_endpoints/{id}")).ExpectNotFound("webhook_endpoint");
        (await client.PutAsync("/api/v1/webhook_endpoints/not-a-uuid", Body(new { name = "x" }))).ExpectNotFound("webhook_endpoint");
        var other = await api.NewOrganizationClientAsync();
        (await other.GetJsonAsync($"/api/v1/webhook_endpoints/{(string)hmac["lago_id"]!}")).ExpectNotFound("webhook_endpoint");
    }

    [Fact]
    public async Task Bad_input_gets_Lagos_422_bodies_and_writes_nothing()
    {
        var client = await api.NewOrganizationClientAsync();
        (await client.PostAsync("/api/v1/webhook_endpoints", Body(new { webhook_url = "foobar" }))).ExpectValidation("webhook_url", "url_is_invalid");
        (await client.PostAsync("/api/v1/webhook_endpoints", Body(new { webhook_url = "ftp://x.example" }))).ExpectValidation("webhook_url", "url_is_invalid");
        (await client.PostAsync("/api/v1/webhook_endpoints", Body(new { name = "no url" }))).ExpectValidation("webhook_url", "value_is_mandatory", "url_is_invalid");
        (await client.PostAsync("/api/v1/webhook_endpoints", Body(new { webhook_url = "https://x.example", signature_algo = "rsa" }))).ExpectValidation("signature_algo", "value_is_invalid");
        (await client.PostAsync("/api/v1/webhook_endpoints", Body(new { webhook_url = "https://x.example", event_types = "wrong" }))).ExpectValidation("event_types", "must_be_array");
        var unknown = await client.PostAsync("/api/v1/webhook_endpoints", Body(new { webhook_url = "https://x.example", event_types = new[] { "wallet.created", "wrong.type" } }));
        unknown.ExpectValidation("event_types", "contains invalid types: [\"wrong.type\"]");
        Assert.Single(unknown.Json!["error_details"]!.AsObject());
        (await client.PostAsync("/api/v1/webhook_endpoints", Body(new { webhook_url = "https://x.example", name = new string('n', 256) }))).ExpectValidation("name", "value_is_too_long");
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PostAsync("/api/v1/webhook_endpoints", new { })).Status);
        Assert.Equal(0, (int)(await client.GetJsonAsync("/api/v1/webhook_endpoints")).Ok()["meta"]!["total_count"]!);

        for (var i = 0; i < 10; i++) (await client.PostAsync("/api/v1/webhook_endpoints", Body(new { webhook_url = $"https://x.example/{i}" }))).Ok();
        (await client.PostAsync("/api/v1/webhook_endpoints", Body(new { webhook_url = "https://x.example/0" }))).ExpectValidation("webhook_url", "value_already_exist");
        (await client.PostAsync("/api/v1/webhook_endpoints", Body(new { webhook_url = "https://x.example/10" })))
            .ExpectValidation("base", "Maximum number of webhook endpoints was reached");
        var first = (string)(await client.GetJsonAsync("/api/v1/webhook_endpoints")).Ok()["webhook_endpoints"]![0]!["lago_id"]!;
        (await client.PutAsync($"/api/v1/webhook_endpoints/{first}", Body(new { webhook_url = "https://x.example/1", name = "taken" })))
            .ExpectValidation("webhook_url", "value_already_exist");
        (await client.PutAsync($"/api/v1/webhook_endpoints/{first}", Body(new { signature_algo = (string?)null }))).ExpectValidation("signature_algo", "value_is_invalid");

        var endpoints = (await client.GetJsonAsync("/api/v1/webhook_endpoints")).Ok();
        Assert.Equal(10, (int)endpoints["meta"]!["total_count"]!);
        var unchanged = endpoints["webhook_endpoints"]![0]!;
        Assert.Equal(("https://x.example/0", "jwt"), ((string?)unchanged["webhook_url"], (string?)unchanged["signature_algo"]));
        Assert.Null(unchanged["name"]);
        // Another organization has its own ten.
        (await (await api.NewOrganizationClientAsync()).PostAsync("/api/v1/webhook_endpoints", Body(new { webhook_url = "https://x.example/0" }))).Ok();
    }

    [Fact]
    public async Task The_public_key_is_Lagos_base64_of_a_PEM_and_the_same_on_both_routes()
    {
        var client = await api.NewOrganizationClientAsync();
        var plain = await client.GetAsync("/api/v1/webhooks/public_key");
        Assert.Equal("text/plain", plain.Content.Headers.ContentType!.MediaType);
        var text = await plain.Content.ReadAsStringAsync();
        var json = (string)(await client.GetJsonAsync("/api/v1/webhooks/json_public_key")).Ok()["webhook"]!["public_key"]!;
        Assert.Equal(text, json);
        var pem = Encoding.ASCII.GetString(Convert.FromBase64String(text.Replace("\n", "")));
        Assert.StartsWith("-----BEGIN PUBLIC KEY-----", pem);
        using var rsa = RSA.Create();
        rsa.ImportFromPem(pem);
        Assert.Equal(2048, rsa.KeySize);
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.ClientWithKey(null).GetAsync("/api/v1/webhooks/public_key")).StatusCode);
    }

    [Fact]
    public async Task Processes_starting_together_store_one_key_pair_and_all_use_it()
    {
        await api.ScalarAsync<int>("WITH d AS (DELETE FROM webhook_signing_keys RETURNING 1) SELECT count(*)::int FROM d");
        await using var dataSource = Npgsql.NpgsqlDataSource.Create(api.ConnectionString);
        var pairs = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Run(() =>
            new global::Wallets.Api.Features.Webhooks.WebhookSigningKeys(dataSource, TimeProvider.System).GetAsync(default))));
        Assert.Single(pairs.Select(p => p.PublicKeyPem).Distinct());
        Assert.Single(pairs.Select(p => p.PrivateKeyPem).Distinct());
        Assert.Equal(1L, await api.ScalarAsync<long>("SELECT count(*) FROM webhook_signing_keys"));
    }
}
