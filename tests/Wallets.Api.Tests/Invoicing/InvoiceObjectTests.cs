using System.Text.Json.Nodes;
using Wallets.Api.Tests.Infrastructure;
using static Wallets.Api.Tests.Invoicing.InvoicingSetup;

namespace Wallets.Api.Tests.Invoicing;

/// <summary>The invoice object of a subscription invoice, field by field, and the invoice lists' filters.</summary>
public sealed class InvoiceObjectTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private static readonly string[] InvoiceFields =
    [
        "lago_id", "billing_entity_code", "sequential_id", "number", "issuing_date", "payment_due_date", "payment_overdue",
        "payment_dispute_lost_at", "net_payment_term", "invoice_type", "status", "payment_status", "currency", "fees_amount_cents",
        "coupons_amount_cents", "credit_notes_amount_cents", "sub_total_excluding_taxes_amount_cents", "taxes_amount_cents",
        "sub_total_including_taxes_amount_cents", "prepaid_credit_amount_cents", "prepaid_granted_credit_amount_cents",
        "prepaid_purchased_credit_amount_cents", "progressive_billing_credit_amount_cents", "total_amount_cents", "total_due_amount_cents",
        "total_paid_amount_cents", "version_number", "self_billed", "file_url", "web_url", "voided_at", "created_at", "updated_at",
        "customer", "metadata", "fees", "subscriptions", "credits", "applied_taxes", "applied_invoice_custom_sections", "applied_usage_thresholds",
    ];

    private static readonly string[] FeeFields =
    [
        "lago_id", "lago_charge_id", "lago_charge_filter_id", "lago_fixed_charge_id", "lago_invoice_id", "lago_true_up_fee_id",
        "lago_true_up_parent_fee_id", "lago_subscription_id", "lago_customer_id", "external_customer_id", "external_subscription_id",
        "amount_cents", "precise_amount", "precise_total_amount", "amount_currency", "taxes_amount_cents", "taxes_precise_amount",
        "taxes_rate", "units", "precise_unit_amount", "total_aggregated_units", "total_amount_cents", "total_amount_currency",
        "events_count", "pay_in_advance", "invoiceable", "from_date", "to_date", "payment_status", "created_at", "succeeded_at",
        "failed_at", "refunded_at", "event_transaction_id", "description", "precise_coupons_amount_cents",
        "sub_total_excluding_taxes_amount_cents", "sub_total_excluding_taxes_precise_amount_cents", "amount_details", "self_billed",
        "item", "applied_taxes",
    ];

    private static string[] Keys(JsonNode node) => node.AsObject().Select(p => p.Key).ToArray();

    [Fact]
    public async Task A_subscription_invoice_shows_lagos_fields_its_subscription_fees_items_and_taxes()
    {
        var client = await api.NewOrganizationClientAsync();
        var vat = await client.TaxAsync("vat", "10");
        var metric = await client.SumMetricAsync("storage");
        var charge = Charge(metric, "0.25");
        charge["invoice_display_name"] = "Storage (GB)";
        var plan = await client.PlanAsync("pro", 2_000, [charge], taxCodes: ["vat"]);
        await client.CustomerAsync("shape");
        await client.EuroWalletAsync("shape", "main", "5");
        var month = api.ThisMonth();
        var subscription = await client.SubscribeAsync("shape", "pro", month, externalId: "sub-shape");
        await api.UsageAsync(subscription, plan.ChargeId(), month, 12.5m, events: 3);
        await api.BillAsync(month.AddMonths(1).AddHours(1));

        var listed = Assert.Single((await client.GetJsonAsync("/api/v1/invoices?external_customer_id=shape&invoice_type=subscription")).Ok()["invoices"]!.AsArray())!;
        var invoice = await client.InvoiceAsync(listed.Id());
        Assert.True(JsonNode.DeepEquals(listed, invoice), $"list and find differ:\n{listed}\n{invoice}");
        Assert.Equal(InvoiceFields, Keys(invoice));
        Assert.Equal((2_313L, 231L, 2_544L, 500L, 500L, 2_044L, 2_044L, 0L), ((long)invoice["fees_amount_cents"]!, (long)invoice["taxes_amount_cents"]!,
            (long)invoice["sub_total_including_taxes_amount_cents"]!, (long)invoice["prepaid_credit_amount_cents"]!, (long)invoice["prepaid_granted_credit_amount_cents"]!,
            (long)invoice["total_amount_cents"]!, (long)invoice["total_due_amount_cents"]!, (long)invoice["total_paid_amount_cents"]!));

        var sub = Assert.Single(invoice["subscriptions"]!.AsArray())!;
        Assert.Equal(("sub-shape", "pro", "active"), ((string)sub["external_id"]!, (string)sub["plan_code"]!, (string)sub["status"]!));
        Assert.Null(sub["plan"]);

        var tax = Assert.Single(invoice["applied_taxes"]!.AsArray())!;
        Assert.Equal((vat, "VAT", "vat", 10m, 231L, "EUR", 2_313L, invoice.Id()), ((string)tax["lago_tax_id"]!, (string)tax["tax_name"]!, (string)tax["tax_code"]!,
            (decimal)tax["tax_rate"]!, (long)tax["amount_cents"]!, (string)tax["amount_currency"]!, (long)tax["fees_amount_cents"]!, (string)tax["lago_invoice_id"]!));

        var fee = invoice.Fee("subscription");
        Assert.Equal(FeeFields, Keys(fee));
        Assert.Equal(("subscription", "pro", "PRO", "PRO", (string)subscription["lago_id"]!, "Subscription"), ((string)fee["item"]!["type"]!, (string)fee["item"]!["code"]!,
            (string)fee["item"]!["name"]!, (string)fee["item"]!["invoice_display_name"]!, (string)fee["item"]!["lago_item_id"]!, (string)fee["item"]!["item_type"]!));
        Assert.Equal(((string)subscription["lago_id"]!, "sub-shape", "shape", "1.0", "20.0", "22.0"), ((string)fee["lago_subscription_id"]!, (string)fee["external_subscription_id"]!,
            (string)fee["external_customer_id"]!, (string)fee["units"]!, (string)fee["precise_amount"]!, (string)fee["precise_total_amount"]!));
        Assert.Null(fee["lago_charge_id"]);

        var usage = invoice.Fee("charge");
        Assert.Equal(("charge", "storage", "STORAGE", "Storage (GB)", metric, "BillableMetric"), ((string)usage["item"]!["type"]!, (string)usage["item"]!["code"]!,
            (string)usage["item"]!["name"]!, (string)usage["item"]!["invoice_display_name"]!, (string)usage["item"]!["lago_item_id"]!, (string)usage["item"]!["item_type"]!));
        Assert.Equal((plan.ChargeId(), "12.5", 3L, 313L, "3.125", "0.25", 31L), ((string)usage["lago_charge_id"]!, (string)usage["units"]!,
            (long)usage["events_count"]!, (long)usage["amount_cents"]!, (string)usage["precise_amount"]!, (string)usage["precise_unit_amount"]!,
            (long)usage["taxes_amount_cents"]!));
        // Taxes apply to the rounded amount, as Lago's: 10 % of 313 cents.
        Assert.Equal((10m, "0.313", "312.5"), ((decimal)usage["taxes_rate"]!, (string)usage["taxes_precise_amount"]!, (string)usage["sub_total_excluding_taxes_precise_amount_cents"]!));
        var feeTax = Assert.Single(usage["applied_taxes"]!.AsArray())!;
        Assert.Equal((usage.Id(), vat, "vat", 31L), ((string)feeTax["lago_fee_id"]!, (string)feeTax["lago_tax_id"]!, (string)feeTax["tax_code"]!, (long)feeTax["amount_cents"]!));
    }

    [Fact]
    public async Task Lists_filter_by_invoice_type_and_keep_showing_credit_invoices()
    {
        var client = await api.NewOrganizationClientAsync();
        await client.PlanAsync("flat", 1_000, []);
        await client.CustomerAsync("lists");
        var wallet = await client.EuroWalletAsync("lists", "main", null);
        await client.TransactAsync(wallet.Id(), new { paid_credits = "3" });
        (await client.PostAsync("/api/v1/add_ons", new { add_on = new { name = "Kit", code = "kit", amount_cents = 700, amount_currency = "EUR" } })).Ok();
        (await client.PostAsync("/api/v1/invoices", new { invoice = new { external_customer_id = "lists", fees = new[] { new { add_on_code = "kit" } } } })).Ok();
        var month = api.ThisMonth();
        await client.SubscribeAsync("lists", "flat", month);
        await api.BillAsync(month.AddMonths(1).AddHours(1));

        async Task<string[]> Types(string query) =>
            (await client.GetJsonAsync($"/api/v1/customers/lists/invoices{query}")).Ok()["invoices"]!.AsArray().Select(i => (string)i!["invoice_type"]!).ToArray();
        Assert.Equal(["subscription", "one_off", "credit"], await Types(""));
        Assert.Equal(["subscription"], await Types("?invoice_type=subscription"));
        Assert.Equal(["one_off"], await Types("?invoice_type=one_off"));
        Assert.Equal(["credit"], await Types("?invoice_type=credit"));
        Assert.Equal(["credit"], await Types("?amount_to=300"));

        var credit = (await client.GetJsonAsync("/api/v1/customers/lists/invoices?invoice_type=credit")).Ok()["invoices"]![0]!;
        Assert.Empty(credit["subscriptions"]!.AsArray());
        Assert.Equal(("credit", "WalletTransaction", 300L), ((string)credit["fees"]![0]!["item"]!["type"]!, (string)credit["fees"]![0]!["item"]!["item_type"]!,
            (long)credit["fees"]![0]!["amount_cents"]!));
        (await client.GetJsonAsync("/api/v1/customers/nobody/invoices")).ExpectNotFound("customer");
    }
}
