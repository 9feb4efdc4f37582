using System.Text.Json.Nodes;
using Wallets.Api.Tests.Infrastructure;
using static Wallets.Api.Tests.Invoicing.InvoicingSetup;

namespace Wallets.Api.Tests.Invoicing;

/// <summary>`/add_ons`: Lago's add-on object, create, list, find, update, soft delete, and refusals.</summary>
public sealed class AddOnTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private static object Body(string code, object? taxCodes = null) =>
        new { add_on = new { name = "Setup fee", code, amount_cents = 50_000, amount_currency = "EUR", invoice_display_name = "Setup", description = "Once", tax_codes = taxCodes } };

    [Fact]
    public async Task Create_returns_lagos_add_on_object_and_list_find_update_delete_follow()
    {
        var client = await api.NewOrganizationClientAsync();
        await client.TaxAsync("vat", "20");
        var created = (await client.PostAsync("/api/v1/add_ons", Body("setup", new[] { "vat" }))).Ok()["add_on"]!;
        Assert.Equal(["lago_id", "name", "invoice_display_name", "code", "amount_cents", "amount_currency", "description", "created_at", "taxes"],
            created.AsObject().Select(p => p.Key).ToArray());
        Assert.Equal(("Setup fee", "setup", 50_000L, "EUR", "Setup", "Once"), ((string)created["name"]!, (string)created["code"]!,
            (long)created["amount_cents"]!, (string)created["amount_currency"]!, (string)created["invoice_display_name"]!, (string)created["description"]!));
        Assert.Equal("vat", (string?)created["taxes"]![0]!["code"]);

        var listed = (await client.GetJsonAsync("/api/v1/add_ons")).Ok();
        Assert.Equal(1, (int)listed["meta"]!["total_count"]!);
        Assert.True(JsonNode.DeepEquals(created, listed["add_ons"]![0]));
        Assert.True(JsonNode.DeepEquals(created, (await client.GetJsonAsync("/api/v1/add_ons/setup")).Ok()["add_on"]));

        var updated = (await client.PutAsync("/api/v1/add_ons/setup", new { add_on = new { amount_cents = 60_000, description = (string?)null, tax_codes = Array.Empty<string>() } })).Ok()["add_on"]!;
        Assert.Equal((60_000L, "Setup fee", 0), ((long)updated["amount_cents"]!, (string)updated["name"]!, updated["taxes"]!.AsArray().Count));
        Assert.Null(updated["description"]);
        var renamed = (await client.PutAsync("/api/v1/add_ons/setup", new { add_on = new { code = "onboarding" } })).Ok()["add_on"]!;
        Assert.Equal("onboarding", (string?)renamed["code"]);
        (await client.GetJsonAsync("/api/v1/add_ons/setup")).ExpectNotFound("add_on");

        var deleted = (await client.DeleteJsonAsync("/api/v1/add_ons/onboarding")).Ok()["add_on"]!;
        Assert.Equal("onboarding", (string?)deleted["code"]);
        (await client.GetJsonAsync("/api/v1/add_ons/onboarding")).ExpectNotFound("add_on");
        Assert.Equal(0, (int)(await client.GetJsonAsync("/api/v1/add_ons")).Ok()["meta"]!["total_count"]!);
        // A deleted add-on frees its code.
        (await client.PostAsync("/api/v1/add_ons", Body("onboarding"))).Ok();
    }

    [Fact]
    public async Task Refusals_use_lagos_codes()
    {
        var client = await api.NewOrganizationClientAsync();
        (await client.PostAsync("/api/v1/add_ons", Body("taken"))).Ok();
        (await client.PostAsync("/api/v1/add_ons", Body("taken"))).ExpectLagoValidation("code", "value_already_exist");
        (await client.PostAsync("/api/v1/add_ons", new { add_on = new { code = "x", amount_cents = 1, amount_currency = "EUR" } })).ExpectLagoValidation("name", "value_is_mandatory");
        (await client.PostAsync("/api/v1/add_ons", new { add_on = new { name = "x", code = "x", amount_currency = "EUR" } })).ExpectLagoValidation("amount_cents", "value_is_mandatory");
        (await client.PostAsync("/api/v1/add_ons", new { add_on = new { name = "x", code = "x", amount_cents = -1, amount_currency = "EUR" } })).ExpectLagoValidation("amount_cents", "value_is_out_of_range");
        (await client.PostAsync("/api/v1/add_ons", new { add_on = new { name = "x", code = "x", amount_cents = 1, amount_currency = "EURO" } })).ExpectLagoValidation("amount_currency", "value_is_invalid");
        (await client.PostAsync("/api/v1/add_ons", Body("taxed", new[] { "nope" }))).ExpectNotFound("tax");
        (await client.PostAsync("/api/v1/add_ons", new { add_on = new { name = "x", code = "x", amount_cents = "lots", amount_currency = "EUR" } })).ExpectValidation("amount_cents", "value_is_invalid");
        (await client.PostAsync("/api/v1/add_ons", new { addon = new { } })).ExpectMissingRoot("add_on");
        (await client.PutAsync("/api/v1/add_ons/nope", new { add_on = new { name = "y" } })).ExpectNotFound("add_on");
        (await client.DeleteJsonAsync("/api/v1/add_ons/nope")).ExpectNotFound("add_on");
        (await client.PutAsync("/api/v1/add_ons/taken", new { add_on = new { name = "" } })).ExpectLagoValidation("name", "value_is_mandatory");
        Assert.Equal(1, (int)(await client.GetJsonAsync("/api/v1/add_ons")).Ok()["meta"]!["total_count"]!);

        // Another organization's add-on does not exist here.
        var other = await api.NewOrganizationClientAsync();
        (await other.GetJsonAsync("/api/v1/add_ons/taken")).ExpectNotFound("add_on");
    }
}
