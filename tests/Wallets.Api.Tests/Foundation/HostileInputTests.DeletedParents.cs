using Wallets.Api.Tests.Infrastructure;
using Wallets.Api.Tests.Invoicing;

namespace Wallets.Api.Tests.Foundation;

/// <summary>
/// Deleted-parent sequences: every route is sent the ids of objects whose customer, plan, metric, add-on, tax, wallet or
/// subscription is gone. A lookup and a filtered reload that disagree must never turn into a 500.
/// </summary>
public sealed partial class HostileInputTests
{
    [Fact]
    public async Task Routes_on_objects_whose_parent_was_deleted_are_never_a_server_error()
    {
        var client = await api.NewOrganizationClientAsync();
        var start = api.ThisMonth();
        await client.TaxAsync("vat", "20");
        var gb = await client.SumMetricAsync("gb");
        var calls = await client.SumMetricAsync("calls");
        (await client.PostAsync("/api/v1/add_ons", new { add_on = new { name = "Setup", code = "setup", amount_cents = 1000, amount_currency = "EUR", tax_codes = new[] { "vat" } } })).Ok();
        var ids = new Dictionary<string, string>();
        foreach (var name in new[] { "cus", "pln", "met", "wal", "sub" })
        {
            var plan = await client.PlanAsync($"plan_{name}", 1000, [InvoicingSetup.Charge(gb, code: "gb_charge"), InvoicingSetup.Charge(calls, code: "calls_charge")], taxCodes: ["vat"]);
            (await client.PostAsync("/api/v1/customers", new { customer = new { external_id = name, currency = "EUR", tax_codes = new[] { "vat" } } })).Ok();
            var subscription = await client.SubscribeAsync(name, $"plan_{name}", start, externalId: $"sub_{name}");
            await api.UsageAsync(subscription, plan.ChargeId(), start, 3);
            var wallet = await client.EuroWalletAsync(name, $"w_{name}", "50");
            var purchase = await client.TransactAsync(wallet.Id(), new { paid_credits = "5" });
            var oneOff = (await client.PostAsync("/api/v1/invoices", new { invoice = new { external_customer_id = name, fees = new[] { new { add_on_code = "setup" } } } })).Ok()["invoice"]!;
            ids[$"{name}.wallet"] = wallet.Id();
            ids[$"{name}.grant"] = (string)(await client.GetJsonAsync($"/api/v1/wallets/{wallet.Id()}/wallet_transactions")).Ok()["wallet_transactions"]!.AsArray()[^1]!["lago_id"]!;
            ids[$"{name}.purchase"] = (string)purchase[0]!["lago_id"]!;
            ids[$"{name}.credit_invoice"] = (string)purchase[0]!["lago_invoice_id"]!;
            ids[$"{name}.one_off"] = oneOff.Id();
        }
        await api.BillAsync(start.AddMonths(1).AddHours(1));
        foreach (var name in new[] { "cus", "pln", "met", "wal", "sub" })
            ids[$"{name}.invoice"] = (await client.InvoicesAsync(name)).Single().Id();

        (await client.DeleteJsonAsync("/api/v1/customers/cus")).Ok();
        (await client.DeleteJsonAsync("/api/v1/plans/plan_pln")).Ok();
        (await client.DeleteJsonAsync("/api/v1/billable_metrics/gb")).Ok();
        (await client.DeleteJsonAsync($"/api/v1/wallets/{ids["wal.wallet"]}")).Ok();
        (await client.DeleteJsonAsync("/api/v1/subscriptions/sub_sub")).Ok();
        (await client.DeleteJsonAsync("/api/v1/add_ons/setup")).Ok();
        (await client.DeleteJsonAsync("/api/v1/taxes/vat")).Ok();

        var failures = new List<string>();
        foreach (var name in new[] { "cus", "pln", "met", "wal", "sub" })
        {
            var (wallet, grant, purchase) = (ids[$"{name}.wallet"], ids[$"{name}.grant"], ids[$"{name}.purchase"]);
            (HttpMethod, string, string?)[] requests =
            [
                (HttpMethod.Get, $"customers/{name}", null), (HttpMethod.Get, $"customers/{name}/current_usage?external_subscription_id=sub_{name}", null),
                (HttpMethod.Get, $"customers/{name}/invoices", null), (HttpMethod.Get, $"customers/{name}/subscriptions", null),
                (HttpMethod.Get, $"customers/{name}/wallets", null), (HttpMethod.Get, $"customers/{name}/wallets/w_{name}", null),
                (HttpMethod.Put, $"customers/{name}/wallets/w_{name}", """{"wallet":{"name":"x","priority":3}}"""),
                (HttpMethod.Post, $"customers/{name}/wallets", """{"wallet":{"code":"again","rate_amount":"1","currency":"EUR","granted_credits":"1"}}"""),
                (HttpMethod.Get, $"wallets/{wallet}", null), (HttpMethod.Put, $"wallets/{wallet}", """{"wallet":{"name":"x","expiration_at":"2030-01-01T00:00:00Z"}}"""),
                (HttpMethod.Post, $"wallets/{wallet}/metadata", """{"metadata":{"k":"v"}}"""), (HttpMethod.Patch, $"wallets/{wallet}/metadata", """{"metadata":{"k":"v"}}"""),
                (HttpMethod.Delete, $"wallets/{wallet}/metadata/k", null), (HttpMethod.Delete, $"wallets/{wallet}/metadata", null),
                (HttpMethod.Get, $"wallets/{wallet}/wallet_transactions", null),
                (HttpMethod.Post, "wallet_transactions", $$$"""{"wallet_transaction":{"wallet_id":"{{{wallet}}}","granted_credits":"1"}}"""),
                (HttpMethod.Post, "wallet_transactions", $$$"""{"wallet_transaction":{"wallet_id":"{{{wallet}}}","paid_credits":"1"}}"""),
                (HttpMethod.Post, "wallet_transactions", $$$"""{"wallet_transaction":{"wallet_id":"{{{wallet}}}","voided_credits":"1"}}"""),
                (HttpMethod.Post, "wallet_transactions", $$$"""{"wallet_transaction":{"wallet_id":"{{{wallet}}}","voided_transaction_id":"{{{grant}}}","voided_credits":"1"}}"""),
                (HttpMethod.Get, $"wallet_transactions/{grant}", null), (HttpMethod.Get, $"wallet_transactions/{grant}/consumptions", null),
                (HttpMethod.Get, $"wallet_transactions/{purchase}/fundings", null), (HttpMethod.Post, $"wallet_transactions/{purchase}/payment_url", null),
                (HttpMethod.Get, $"subscriptions/sub_{name}", null), (HttpMethod.Put, $"subscriptions/sub_{name}", """{"subscription":{"name":"x","ending_at":"2031-01-01T00:00:00Z"}}"""),
                (HttpMethod.Post, "subscriptions", $$$"""{"subscription":{"external_customer_id":"{{{name}}}","external_id":"again_{{{name}}}","plan_code":"plan_{{{name}}}"}}"""),
                (HttpMethod.Post, "events", $$$$"""{"event":{"transaction_id":"ev_{{{{name}}}}","external_subscription_id":"sub_{{{{name}}}}","code":"gb","properties":{"units":2}}}"""),
                (HttpMethod.Post, "invoices", $$$"""{"invoice":{"external_customer_id":"{{{name}}}","fees":[{"add_on_code":"setup"}]}}"""),
                (HttpMethod.Get, $"plans/plan_{name}", null), (HttpMethod.Put, $"plans/plan_{name}", """{"plan":{"name":"x","charges":[]}}"""),
                (HttpMethod.Get, $"plans/plan_{name}/charges", null), (HttpMethod.Get, $"plans/plan_{name}/charges/gb_charge", null),
                (HttpMethod.Put, $"plans/plan_{name}/charges/gb_charge", """{"charge":{"properties":{"amount":"2"}}}"""),
                (HttpMethod.Post, $"plans/plan_{name}/charges", $$$$"""{"charge":{"billable_metric_id":"{{{{gb}}}}","charge_model":"standard","properties":{"amount":"1"}}}"""),
            ];
            foreach (var (method, path, body) in requests) await CheckAsync(client, failures, method, "/api/v1/" + path, body);
            foreach (var invoice in new[] { ids[$"{name}.invoice"], ids[$"{name}.credit_invoice"], ids[$"{name}.one_off"] })
            {
                await CheckAsync(client, failures, HttpMethod.Get, $"/api/v1/invoices/{invoice}", null);
                await CheckAsync(client, failures, HttpMethod.Put, $"/api/v1/invoices/{invoice}", """{"invoice":{"payment_status":"succeeded","metadata":[{"key":"k","value":"v"}]}}""");
                await CheckAsync(client, failures, HttpMethod.Post, $"/api/v1/invoices/{invoice}/void", null);
            }
            // The deletes last, each twice: the second meets an object already gone.
            foreach (var path in new[] { $"customers/{name}/wallets/w_{name}", $"wallets/{wallet}", $"subscriptions/sub_{name}", $"plans/plan_{name}/charges/calls_charge", $"plans/plan_{name}", $"customers/{name}" })
            {
                await CheckAsync(client, failures, HttpMethod.Delete, "/api/v1/" + path, null);
                await CheckAsync(client, failures, HttpMethod.Delete, "/api/v1/" + path, null);
            }
        }
        foreach (var path in new[] { "billable_metrics/gb", "add_ons/setup", "taxes/vat" })
        {
            await CheckAsync(client, failures, HttpMethod.Get, "/api/v1/" + path, null);
            await CheckAsync(client, failures, HttpMethod.Delete, "/api/v1/" + path, null);
        }
        foreach (var path in new[] { "invoices", "wallets", "subscriptions", "customers", "plans", "events" })
            await CheckAsync(client, failures, HttpMethod.Get, "/api/v1/" + path, null);
        AssertNone(failures);
    }
}
