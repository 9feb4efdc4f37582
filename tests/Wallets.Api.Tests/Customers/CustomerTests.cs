using System.Net;
using Wallets.Api.Tests.Infrastructure;

namespace Wallets.Api.Tests.Customers;

public sealed class CustomerTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Create_returns_lagos_customer_object()
    {
        var client = await api.NewOrganizationClientAsync();
        var customer = (await client.PostAsync("/api/v1/customers", new
        {
            customer = new
            {
                external_id = "acme", name = "Acme", firstname = "Ada", lastname = "Lovelace", email = "ada@acme.test",
                currency = "EUR", timezone = "Europe/Paris", country = "FR", address_line1 = "1 rue", city = "Paris",
                zipcode = "75001", tax_identification_number = "FR123", net_payment_term = 30,
                metadata = new[] { new { key = "po", value = "42", display_in_invoice = true } },
            },
        })).Ok()["customer"]!;

        Assert.Matches("^[0-9a-f-]{36}$", (string?)customer["lago_id"]);
        Assert.Equal("acme", (string?)customer["external_id"]);
        Assert.Equal("EUR", (string?)customer["currency"]);
        Assert.Equal("Europe/Paris", (string?)customer["timezone"]);
        Assert.Equal("Europe/Paris", (string?)customer["applicable_timezone"]);
        Assert.Equal("FR", (string?)customer["country"]);
        Assert.Equal(30, (int)customer["net_payment_term"]!);
        Assert.Equal("po", (string?)customer["metadata"]![0]!["key"]);
        Assert.True((bool)customer["metadata"]![0]!["display_in_invoice"]!);
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", (string?)customer["created_at"]);
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", (string?)customer["updated_at"]);
    }

    [Fact]
    public async Task Posting_an_existing_external_id_updates_only_the_fields_sent()
    {
        var client = await api.NewOrganizationClientAsync();
        var created = (await client.PostAsync("/api/v1/customers", new { customer = new { external_id = "u1", name = "Old", email = "a@b.c", currency = "USD" } })).Ok()["customer"]!;
        var updated = (await client.PostAsync("/api/v1/customers", new { customer = new { external_id = "u1", name = "New" } })).Ok()["customer"]!;

        Assert.Equal((string?)created["lago_id"], (string?)updated["lago_id"]);
        Assert.Equal("New", (string?)updated["name"]);
        Assert.Equal("a@b.c", (string?)updated["email"]);
        Assert.Equal("USD", (string?)updated["currency"]);
        Assert.Equal(1L, await api.ScalarAsync<long>("SELECT count(*) FROM customers WHERE external_id = 'u1'"));
    }

    [Fact]
    public async Task Concurrent_creates_of_one_external_id_make_one_customer()
    {
        var client = await api.NewOrganizationClientAsync();
        var replies = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            client.PostAsync("/api/v1/customers", new { customer = new { external_id = "race", name = $"n{i}" } })));
        Assert.All(replies, r => r.Ok());
        Assert.Single(replies.Select(r => (string?)r["customer"]["lago_id"]).Distinct());
        Assert.Equal(1L, await api.ScalarAsync<long>("SELECT count(*) FROM customers WHERE external_id = 'race'"));
    }

    [Theory]
    [InlineData("currency", "EURO", "value_is_invalid")]
    [InlineData("currency", "eur", "value_is_invalid")]
    [InlineData("timezone", "Mars/Olympus", "invalid_timezone")]
    [InlineData("country", "XX", "country_code_invalid")]
    [InlineData("email", "not-an-email", "invalid_email_format")]
    [InlineData("customer_type", "robot", "value_is_invalid")]
    public async Task Invalid_fields_are_422_and_create_nothing(string field, string value, string code)
    {
        var client = await api.NewOrganizationClientAsync();
        var body = new Dictionary<string, object> { ["external_id"] = $"bad-{field}", [field] = value };
        (await client.PostAsync("/api/v1/customers", new { customer = body })).ExpectValidation(field, code);
        Assert.Equal(0L, await api.ScalarAsync<long>("SELECT count(*) FROM customers WHERE external_id = @e", ("e", $"bad-{field}")));
    }

    [Fact]
    public async Task A_missing_external_id_is_value_is_mandatory()
    {
        var client = await api.NewOrganizationClientAsync();
        (await client.PostAsync("/api/v1/customers", new { customer = new { name = "x" } })).ExpectValidation("external_id", "value_is_mandatory");
    }

    [Fact]
    public async Task A_null_metadata_entry_is_invalid_key_value_pair()
    {
        var client = await api.NewOrganizationClientAsync();
        (await client.PostAsync("/api/v1/customers", new { customer = new { external_id = "meta", metadata = new object?[] { null } } }))
            .ExpectValidation("metadata", "invalid_key_value_pair");
        (await client.GetJsonAsync("/api/v1/customers/meta")).ExpectNotFound("customer");
    }

    [Fact]
    public async Task An_invalid_update_changes_nothing()
    {
        var client = await api.NewOrganizationClientAsync();
        (await client.PostAsync("/api/v1/customers", new { customer = new { external_id = "keep", name = "Kept", currency = "EUR" } })).Ok();
        (await client.PostAsync("/api/v1/customers", new { customer = new { external_id = "keep", name = "Changed", currency = "NOPE" } }))
            .ExpectValidation("currency", "value_is_invalid");
        var customer = (await client.GetJsonAsync("/api/v1/customers/keep")).Ok()["customer"]!;
        Assert.Equal("Kept", (string?)customer["name"]);
        Assert.Equal("EUR", (string?)customer["currency"]);
    }

    [Fact]
    public async Task Delete_returns_the_customer_then_it_is_gone_and_its_id_is_reusable()
    {
        var client = await api.NewOrganizationClientAsync();
        var created = (await client.PostAsync("/api/v1/customers", new { customer = new { external_id = "gone" } })).Ok()["customer"]!;
        var deleted = (await client.DeleteJsonAsync("/api/v1/customers/gone")).Ok()["customer"]!;
        Assert.Equal((string?)created["lago_id"], (string?)deleted["lago_id"]);
        (await client.GetJsonAsync("/api/v1/customers/gone")).ExpectNotFound("customer");
        (await client.DeleteJsonAsync("/api/v1/customers/gone")).ExpectNotFound("customer");
        Assert.Equal(0, (int)(await client.GetJsonAsync("/api/v1/customers")).Ok()["meta"]!["total_count"]!);

        var again = (await client.PostAsync("/api/v1/customers", new { customer = new { external_id = "gone" } })).Ok()["customer"]!;
        Assert.NotEqual((string?)created["lago_id"], (string?)again["lago_id"]);
    }

    [Fact]
    public async Task Another_organizations_customer_is_a_404_everywhere()
    {
        var mine = await api.NewOrganizationClientAsync("mine");
        var theirs = await api.NewOrganizationClientAsync("theirs");
        (await theirs.PostAsync("/api/v1/customers", new { customer = new { external_id = "shared-id", name = "Theirs" } })).Ok();

        (await mine.GetJsonAsync("/api/v1/customers/shared-id")).ExpectNotFound("customer");
        (await mine.DeleteJsonAsync("/api/v1/customers/shared-id")).ExpectNotFound("customer");
        Assert.Equal(0, (int)(await mine.GetJsonAsync("/api/v1/customers")).Ok()["meta"]!["total_count"]!);

        // The same external_id in my organization is a different customer; theirs is untouched.
        (await mine.PostAsync("/api/v1/customers", new { customer = new { external_id = "shared-id", name = "Mine" } })).Ok();
        Assert.Equal("Theirs", (string?)(await theirs.GetJsonAsync("/api/v1/customers/shared-id")).Ok()["customer"]!["name"]);
        Assert.Equal(HttpStatusCode.OK, (await theirs.GetJsonAsync("/api/v1/customers/shared-id")).Status);
    }

    [Fact]
    public async Task Search_term_finds_customers_by_part_of_their_external_id_or_names_in_any_case_and_literally()
    {
        var client = await api.NewOrganizationClientAsync();
        (await client.PostAsync("/api/v1/customers", new { customer = new { external_id = "acme-42", name = "Acme Corp" } })).Ok();
        (await client.PostAsync("/api/v1/customers", new { customer = new { external_id = "globex", name = "Globex", email = "billing@globex.test" } })).Ok();
        (await client.PostAsync("/api/v1/customers", new { customer = new { external_id = "initech_1", legal_name = "Initech 100% LLC" } })).Ok();

        async Task<string[]> Found(string term) => (await client.GetJsonAsync($"/api/v1/customers?search_term={Uri.EscapeDataString(term)}")).Ok()["customers"]!
            .AsArray().Select(c => (string)c!["external_id"]!).Order().ToArray();
        Assert.Equal(["acme-42"], await Found("ACME"));
        Assert.Equal(["acme-42"], await Found("e-4"));
        Assert.Equal(["globex"], await Found("billing@"));
        Assert.Equal(["initech_1"], await Found("100%"));
        // LIKE's wildcards are matched as themselves: "_" is not "any character".
        Assert.Equal(["initech_1"], await Found("h_1"));
        Assert.Empty(await Found("c_r"));
        Assert.Equal(3, (await Found(" ")).Length);
    }
}
