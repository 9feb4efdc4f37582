using System.Net;
using Wallets.Api.Tests.Infrastructure;
using static Wallets.Api.Tests.Invoicing.InvoicingSetup;

namespace Wallets.Api.Tests.Invoicing;

/// <summary>`POST /invoices`: one-off invoices of add-ons, taxed like add-ons, never paid by wallets.</summary>
public sealed class OneOffInvoiceTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private async Task<HttpClient> WithAddOnAsync()
    {
        var client = await api.NewOrganizationClientAsync();
        await client.TaxAsync("vat", "20");
        await client.TaxAsync("reduced", "5.5");
        (await client.PostAsync("/api/v1/add_ons", new
        {
            add_on = new { name = "Setup", code = "setup", amount_cents = 10_000, amount_currency = "EUR", description = "Onboarding", tax_codes = new[] { "vat" } },
        })).Ok();
        await client.CustomerAsync("acme", netPaymentTerm: 15);
        return client;
    }

    [Fact]
    public async Task A_one_off_invoice_bills_add_ons_with_their_taxes_and_no_wallet_touches_it()
    {
        var client = await WithAddOnAsync();
        var wallet = await client.EuroWalletAsync("acme", "main", "1000");

        var invoice = (await client.PostAsync("/api/v1/invoices", new
        {
            invoice = new
            {
                external_customer_id = "acme", currency = "EUR",
                fees = new object[]
                {
                    new { add_on_code = "setup" },
                    new { add_on_code = "setup", unit_amount_cents = 500, units = "2.5", description = "Extra seats", invoice_display_name = "Seats", tax_codes = new[] { "reduced" } },
                },
            },
        })).Ok()["invoice"]!;

        Assert.Equal(("one_off", "finalized", "pending"), ((string)invoice["invoice_type"]!, (string)invoice["status"]!, (string)invoice["payment_status"]!));
        Assert.Equal((11_250L, 2_069L, 13_319L, 0L), ((long)invoice["fees_amount_cents"]!, (long)invoice["taxes_amount_cents"]!,
            (long)invoice["total_amount_cents"]!, (long)invoice["prepaid_credit_amount_cents"]!));
        var fees = invoice["fees"]!.AsArray();
        Assert.Equal(("add_on", "setup", "Setup", "Onboarding", 10_000L, 2_000L, "1.0"), ((string)fees[0]!["item"]!["type"]!, (string)fees[0]!["item"]!["code"]!,
            (string)fees[0]!["item"]!["invoice_display_name"]!, (string)fees[0]!["description"]!, (long)fees[0]!["amount_cents"]!, (long)fees[0]!["taxes_amount_cents"]!, (string)fees[0]!["units"]!));
        Assert.Equal(("Seats", "Extra seats", 1_250L, 69L, "2.5", "AddOn"), ((string)fees[1]!["item"]!["invoice_display_name"]!, (string)fees[1]!["description"]!,
            (long)fees[1]!["amount_cents"]!, (long)fees[1]!["taxes_amount_cents"]!, (string)fees[1]!["units"]!, (string)fees[1]!["item"]!["item_type"]!));
        Assert.Equal(["reduced", "vat"], invoice["applied_taxes"]!.AsArray().Select(t => (string)t!["tax_code"]!).ToArray());
        Assert.Equal(DateOnly.Parse((string)invoice["issuing_date"]!).AddDays(15).ToString("yyyy-MM-dd"), (string?)invoice["payment_due_date"]);

        Assert.Equal(100_000, await client.BalanceAsync(wallet.Id()));
        Assert.Empty(await api.PaidByWalletAsync(invoice.Id()));
        Assert.Equal(invoice.Id(), (string?)Assert.Single(await client.InvoicesAsync("acme", "one_off"))["lago_id"]);
        Assert.Empty(await client.InvoicesAsync("acme", "subscription"));
        await LedgerInvariants.AssertAsync(api);
    }

    [Fact]
    public async Task A_free_one_off_invoice_is_paid_and_the_customer_takes_its_currency()
    {
        var client = await WithAddOnAsync();
        (await client.PostAsync("/api/v1/customers", new { customer = new { external_id = "fresh" } })).Ok();
        var invoice = (await client.PostAsync("/api/v1/invoices", new
        {
            invoice = new { external_customer_id = "fresh", currency = "USD", fees = new[] { new { add_on_code = "setup", unit_amount_cents = 0 } } },
        })).Ok()["invoice"]!;
        Assert.Equal(("USD", 0L, "succeeded"), ((string)invoice["currency"]!, (long)invoice["total_amount_cents"]!, (string)invoice["payment_status"]!));
        Assert.Equal("USD", (string?)(await client.GetJsonAsync("/api/v1/customers/fresh")).Ok()["customer"]!["currency"]);
    }

    [Fact]
    public async Task Refusals_are_lagos_and_write_nothing()
    {
        var client = await WithAddOnAsync();
        Task<Reply> Post(object invoice) => api.UnchangedAsync(() => client.PostAsync("/api/v1/invoices", new { invoice }));

        (await Post(new { external_customer_id = "nobody", fees = new[] { new { add_on_code = "setup" } } })).ExpectNotFound("customer");
        (await Post(new { external_customer_id = "acme", fees = Array.Empty<object>() })).ExpectNotFound("fees");
        (await Post(new { external_customer_id = "acme" })).ExpectNotFound("fees");
        (await Post(new { external_customer_id = "acme", fees = new[] { new { add_on_code = "nope" } } })).ExpectNotFound("add_on");
        (await Post(new { external_customer_id = "acme", currency = "USD", fees = new[] { new { add_on_code = "setup" } } }))
            .ExpectLagoValidation("currency", "currencies_does_not_match");
        (await Post(new { external_customer_id = "acme", currency = "XYZ", fees = new[] { new { add_on_code = "setup" } } }))
            .ExpectLagoValidation("currency", "value_is_invalid");
        (await Post(new { external_customer_id = "acme", fees = new[] { new { add_on_code = "setup", units = "lots" } } }))
            .ExpectLagoValidation("units", "value_is_invalid");
        (await Post(new { external_customer_id = "acme", fees = new[] { new { add_on_code = "setup", units = "-1" } } }))
            .ExpectLagoValidation("units", "value_is_invalid");
        (await Post(new { external_customer_id = "acme", fees = new[] { new { add_on_code = "setup", units = "99999999999999999999" } } }))
            .ExpectLagoValidation("units", "value_is_out_of_range");
        (await Post(new { external_customer_id = "acme", fees = new[] { new { add_on_code = "setup", unit_amount_cents = -5 } } }))
            .ExpectLagoValidation("unit_amount_cents", "value_is_out_of_range");
        (await Post(new { external_customer_id = "acme", fees = new[] { new { add_on_code = "setup", tax_codes = new[] { "nope" } } } })).ExpectNotFound("tax");
        (await api.UnchangedAsync(() => client.PostAsync("/api/v1/invoices", new { fees = 1 }))).ExpectMissingRoot("invoice");
        var wrongType = await api.UnchangedAsync(() => client.PostAsync("/api/v1/invoices", """{"invoice":{"external_customer_id":"acme","fees":[{"add_on_code":"setup","unit_amount_cents":"x"}]}}"""));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, wrongType.Status);
    }
}
