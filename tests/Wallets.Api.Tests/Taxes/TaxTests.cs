using Wallets.Api.Tests.Infrastructure;

namespace Wallets.Api.Tests.Taxes;

public sealed class TaxTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private static object Tax(string code, object? rate = null) => new { tax = new { name = "VAT", code, rate = rate ?? "20.0" } };

    private Task<long> CountAsync(string code) => api.ScalarAsync<long>("SELECT count(*) FROM taxes WHERE code = @c", ("c", code));

    [Fact]
    public async Task Create_returns_lagos_tax_object_with_a_numeric_rate()
    {
        var client = await api.NewOrganizationClientAsync();
        var tax = (await client.PostAsync("/api/v1/taxes", new
        {
            tax = new { name = "TVA", code = "fr_vat", rate = "20.5", description = "French VAT", applied_to_organization = true },
        })).Ok()["tax"]!;

        Assert.Matches("^[0-9a-f-]{36}$", (string?)tax["lago_id"]);
        Assert.Equal("TVA", (string?)tax["name"]);
        Assert.Equal("fr_vat", (string?)tax["code"]);
        Assert.Equal("20.5", tax["rate"]!.ToJsonString());
        Assert.Equal("French VAT", (string?)tax["description"]);
        Assert.True((bool)tax["applied_to_organization"]!);
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", (string?)tax["created_at"]);
    }

    [Fact]
    public async Task A_rate_may_be_sent_as_a_json_number()
    {
        var client = await api.NewOrganizationClientAsync();
        var tax = (await client.PostAsync("/api/v1/taxes", Tax("num", 8.875m))).Ok()["tax"]!;
        Assert.Equal("8.875", tax["rate"]!.ToJsonString());
        Assert.False((bool)tax["applied_to_organization"]!);
    }

    [Theory]
    [InlineData("rate", "101", "value_is_out_of_range")]
    [InlineData("rate", "-1", "value_is_out_of_range")]
    [InlineData("rate", "abc", "value_is_invalid")]
    [InlineData("rate", "1.123456", "value_is_invalid")]
    [InlineData("rate", null, "value_is_mandatory")]
    [InlineData("name", "", "value_is_mandatory")]
    [InlineData("applied_to_organization", "maybe", "value_is_invalid")]
    public async Task Invalid_fields_are_422_and_create_nothing(string field, string? value, string code)
    {
        var client = await api.NewOrganizationClientAsync();
        var body = new Dictionary<string, object?> { ["name"] = "VAT", ["code"] = $"bad_{field}", ["rate"] = "10", [field] = value };
        (await client.PostAsync("/api/v1/taxes", new { tax = body })).ExpectValidation(field, code);
        Assert.Equal(0, await CountAsync($"bad_{field}"));
    }

    [Fact]
    public async Task A_duplicate_code_is_value_already_exist()
    {
        var client = await api.NewOrganizationClientAsync();
        (await client.PostAsync("/api/v1/taxes", Tax("dup"))).Ok();
        (await client.PostAsync("/api/v1/taxes", Tax("dup"))).ExpectValidation("code", "value_already_exist");
        Assert.Equal(1, await CountAsync("dup"));
    }

    [Fact]
    public async Task Update_changes_only_the_fields_sent()
    {
        var client = await api.NewOrganizationClientAsync();
        (await client.PostAsync("/api/v1/taxes", new { tax = new { name = "VAT", code = "upd", rate = "20", description = "kept" } })).Ok();
        var tax = (await client.PutAsync("/api/v1/taxes/upd", new { tax = new { rate = "5.5" } })).Ok()["tax"]!;
        Assert.Equal("5.5", tax["rate"]!.ToJsonString());
        Assert.Equal("kept", (string?)tax["description"]);

        (await client.PutAsync("/api/v1/taxes/upd", new { tax = new { rate = "500" } })).ExpectValidation("rate", "value_is_out_of_range");
        Assert.Equal("5.5", (await client.GetJsonAsync("/api/v1/taxes/upd")).Ok()["tax"]!["rate"]!.ToJsonString());
        (await client.PutAsync("/api/v1/taxes/nope", new { tax = new { rate = "5" } })).ExpectNotFound("tax");
    }

    [Fact]
    public async Task List_is_paginated_newest_first()
    {
        var client = await api.NewOrganizationClientAsync();
        foreach (var code in new[] { "t1", "t2", "t3" }) (await client.PostAsync("/api/v1/taxes", Tax(code))).Ok();
        var page = (await client.GetJsonAsync("/api/v1/taxes?per_page=2&page=2")).Ok();
        Assert.Equal(["t1"], page["taxes"]!.AsArray().Select(t => (string?)t!["code"]));
        Assert.Equal(3, (int)page["meta"]!["total_count"]!);
        Assert.Equal(1, (int)page["meta"]!["prev_page"]!);
    }

    [Fact]
    public async Task Customers_take_tax_codes_and_show_their_taxes()
    {
        var client = await api.NewOrganizationClientAsync();
        (await client.PostAsync("/api/v1/taxes", Tax("vat"))).Ok();
        (await client.PostAsync("/api/v1/taxes", Tax("gst", "5"))).Ok();

        var customer = (await client.PostAsync("/api/v1/customers", new { customer = new { external_id = "c1", tax_codes = new[] { "vat", "gst" } } })).Ok()["customer"]!;
        Assert.Equal(["gst", "vat"], customer["taxes"]!.AsArray().Select(t => (string?)t!["code"]));

        customer = (await client.PostAsync("/api/v1/customers", new { customer = new { external_id = "c1", tax_codes = new[] { "vat" } } })).Ok()["customer"]!;
        Assert.Equal(["vat"], customer["taxes"]!.AsArray().Select(t => (string?)t!["code"]));
        customer = (await client.GetJsonAsync("/api/v1/customers/c1")).Ok()["customer"]!;
        Assert.Equal(["vat"], customer["taxes"]!.AsArray().Select(t => (string?)t!["code"]));

        (await client.PostAsync("/api/v1/customers", new { customer = new { external_id = "c2", tax_codes = new[] { "nope" } } })).ExpectNotFound("tax");
        Assert.Equal(0L, await api.ScalarAsync<long>("SELECT count(*) FROM customers WHERE external_id = 'c2'"));
    }

    [Fact]
    public async Task Deleting_a_tax_removes_it_from_customers()
    {
        var client = await api.NewOrganizationClientAsync();
        (await client.PostAsync("/api/v1/taxes", Tax("old"))).Ok();
        (await client.PostAsync("/api/v1/customers", new { customer = new { external_id = "c", tax_codes = new[] { "old" } } })).Ok();

        Assert.Equal("old", (string?)(await client.DeleteJsonAsync("/api/v1/taxes/old")).Ok()["tax"]!["code"]);
        (await client.GetJsonAsync("/api/v1/taxes/old")).ExpectNotFound("tax");
        Assert.Empty((await client.GetJsonAsync("/api/v1/customers/c")).Ok()["customer"]!["taxes"]!.AsArray());
    }

    [Fact]
    public async Task Another_organizations_tax_is_a_404_and_cannot_be_applied()
    {
        var mine = await api.NewOrganizationClientAsync("mine");
        var theirs = await api.NewOrganizationClientAsync("theirs");
        (await theirs.PostAsync("/api/v1/taxes", Tax("theirs_vat"))).Ok();

        (await mine.GetJsonAsync("/api/v1/taxes/theirs_vat")).ExpectNotFound("tax");
        (await mine.DeleteJsonAsync("/api/v1/taxes/theirs_vat")).ExpectNotFound("tax");
        (await mine.PostAsync("/api/v1/customers", new { customer = new { external_id = "c", tax_codes = new[] { "theirs_vat" } } })).ExpectNotFound("tax");
        Assert.Equal(1, await CountAsync("theirs_vat"));
    }
}
