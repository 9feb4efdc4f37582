using System.Net;
using System.Net.Http.Headers;
using Wallets.Api.Tests.Infrastructure;
using Wallets.Api.Tests.Invoicing;
using static Wallets.Api.Tests.Invoicing.InvoicingSetup;

namespace Wallets.Api.Tests.OpenApi;

/// <summary>
/// A day of a real integration, over HTTP: the catalog, customers, wallets and their ledger, events, usage, billing,
/// invoices, and the mistakes clients make. Every answer is recorded for <see cref="OpenApiConformanceTests"/>.
/// </summary>
public static class ConformanceScenario
{
    public static async Task RunAsync(ApiFactory api, HttpClient c, HttpClient anonymous)
    {
        // Authentication, and routes that answer without a key.
        Is(HttpStatusCode.Unauthorized, await anonymous.GetJsonAsync("/api/v1/wallets"));
        Is(HttpStatusCode.Unauthorized, await anonymous.PostAsync("/api/v1/customers", new { customer = new { external_id = "x" } }));
        Is(HttpStatusCode.OK, await anonymous.GetJsonAsync("/health"));
        Is(HttpStatusCode.OK, await anonymous.GetJsonAsync("/health/ready"));

        // Webhook endpoints first, so every change below writes its deliveries (the dispatcher is off in tests).
        var endpoint = (await c.PostAsync("/api/v1/webhook_endpoints", new { webhook_endpoint = new { webhook_url = "https://hooks.example/lago", signature_algo = "hmac", name = "Main" } })).Ok()["webhook_endpoint"]!;
        var endpointId = endpoint.Id();
        await c.PutAsync($"/api/v1/webhook_endpoints/{endpointId}", new { webhook_endpoint = new { webhook_url = "https://hooks.example/lago", event_types = new[] { "wallet.created", "wallet_transaction.created" } } });
        await c.GetJsonAsync("/api/v1/webhook_endpoints");
        await c.GetJsonAsync($"/api/v1/webhook_endpoints/{endpointId}");
        Is(HttpStatusCode.NotFound, await c.GetJsonAsync($"/api/v1/webhook_endpoints/{Guid.NewGuid()}"));
        Is(HttpStatusCode.UnprocessableEntity, await c.PostAsync("/api/v1/webhook_endpoints", new { webhook_endpoint = new { webhook_url = "not a url" } }));
        await c.GetJsonAsync("/api/v1/webhooks/public_key");
        await c.GetJsonAsync("/api/v1/webhooks/json_public_key");

        // Catalog: taxes, metrics, add-ons, plans and their charges.
        await c.TaxAsync("vat", "20");
        Is(HttpStatusCode.OK, await c.PutAsync("/api/v1/taxes/vat", new { tax = new { description = "Standard VAT", rate = "19.6" } }));
        await c.TaxAsync("reduced", "5.5");
        await c.GetJsonAsync("/api/v1/taxes");
        await c.GetJsonAsync("/api/v1/taxes/reduced");
        Is(HttpStatusCode.NotFound, await c.GetJsonAsync("/api/v1/taxes/nope"));
        Is(HttpStatusCode.UnprocessableEntity, await c.PostAsync("/api/v1/taxes", new { tax = new { name = "Bad", code = "bad", rate = "abc" } }));
        var units = await c.SumMetricAsync("units");
        await c.PostAsync("/api/v1/billable_metrics", new
        {
            billable_metric = new { name = "Calls", code = "calls", aggregation_type = "count_agg", filters = new[] { new { key = "region", values = new[] { "eu", "us" } } } },
        });
        await c.PutAsync("/api/v1/billable_metrics/calls", new { billable_metric = new { description = "API calls" } });
        await c.GetJsonAsync("/api/v1/billable_metrics");
        await c.GetJsonAsync("/api/v1/billable_metrics/calls");
        Is(HttpStatusCode.BadRequest, await c.PostAsync("/api/v1/billable_metrics", new { metric = new { } }));
        await c.PostAsync("/api/v1/add_ons", new { add_on = new { name = "Setup", code = "setup", amount_cents = 10_000, amount_currency = "EUR", tax_codes = new[] { "vat" } } });
        await c.PutAsync("/api/v1/add_ons/setup", new { add_on = new { description = "Onboarding" } });
        await c.GetJsonAsync("/api/v1/add_ons");
        await c.GetJsonAsync("/api/v1/add_ons/setup");
        var plan = await c.PlanAsync("pro", 1_000, [Charge(units, "0.5", "units"), Graduated(units)], taxCodes: ["vat"], trialPeriod: 0.5m);
        await c.PutAsync("/api/v1/plans/pro", new { plan = new { description = "The pro plan" } });
        await c.GetJsonAsync("/api/v1/plans");
        await c.GetJsonAsync("/api/v1/plans/pro");
        await c.PostAsync("/api/v1/plans/pro/charges", new { charge = new Dictionary<string, object?>(Charge(units, "2", "extra")) { ["tax_codes"] = new[] { "reduced" } } });
        await c.PutAsync("/api/v1/plans/pro/charges/extra", new { charge = new { invoice_display_name = "Extra units" } });
        await c.GetJsonAsync("/api/v1/plans/pro/charges");
        await c.GetJsonAsync("/api/v1/plans/pro/charges/extra");
        await c.DeleteJsonAsync("/api/v1/plans/pro/charges/extra");
        Is(HttpStatusCode.NotFound, await c.GetJsonAsync("/api/v1/plans/nope/charges"));

        // Customers, subscriptions, wallets.
        await c.CustomerAsync("acme", netPaymentTerm: 15, timezone: "Europe/Paris");
        await c.PostAsync("/api/v1/customers", new { customer = new { external_id = "acme", name = "Acme", metadata = new[] { new { key = "tier", value = "gold", display_in_invoice = true } }, tax_codes = new[] { "vat" } } });
        await c.GetJsonAsync("/api/v1/customers");
        await c.GetJsonAsync("/api/v1/customers/acme");
        await c.GetJsonAsync("/api/v1/customers?search_term=acm&per_page=5");
        Is(HttpStatusCode.NotFound, await c.GetJsonAsync("/api/v1/customers/nobody"));
        Is(HttpStatusCode.UnprocessableEntity, await c.PostAsync("/api/v1/customers", new { customer = new { external_id = "bad", currency = "XXX1" } }));
        var monthStart = api.ThisMonth();
        var subscription = await c.SubscribeAsync("acme", "pro", monthStart, "acme-pro");
        await c.PutAsync("/api/v1/subscriptions/acme-pro", new { subscription = new { name = "Acme Pro" } });
        await c.GetJsonAsync("/api/v1/subscriptions?external_customer_id=acme");
        await c.GetJsonAsync("/api/v1/subscriptions/acme-pro");
        await c.GetJsonAsync("/api/v1/customers/acme/subscriptions");
        await c.GetJsonAsync("/api/v1/subscriptions?plan_code=pro&status[]=active&status[]=pending");
        await c.GetJsonAsync("/api/v1/customers/acme/subscriptions?plan_code=pro&status[]=terminated");
        await c.GetJsonAsync("/api/v1/subscriptions/acme-pro?status=active");
        Is(HttpStatusCode.NotFound, await c.PostAsync("/api/v1/subscriptions", new { subscription = new { external_customer_id = "acme", plan_code = "nope", external_id = "x" } }));

        var wallet = (await c.PostAsync("/api/v1/wallets", new
        {
            wallet = new
            {
                external_customer_id = "acme", name = "Main", code = "main", rate_amount = "1", currency = "EUR", granted_credits = "100", paid_credits = "50",
                expiration_at = monthStart.AddYears(2).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"), metadata = new Dictionary<string, string> { ["team"] = "core" },
                transaction_expiration_at = monthStart.AddYears(2).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"),
                applies_to = new { fee_types = new[] { "charge", "subscription" } },
                recurring_transaction_rules = new[] { new { trigger = "threshold", threshold_credits = "5", paid_credits = "10", granted_credits = "0", transaction_expiration_days = 365 } },
            },
        })).Ok()["wallet"]!;
        var walletId = wallet.Id();
        await c.PostAsync("/api/v1/customers/acme/wallets", new { wallet = new { code = "spare", rate_amount = "2", currency = "EUR" } });
        await c.PutAsync($"/api/v1/wallets/{walletId}", new { wallet = new { name = "Main wallet", paid_top_up_max_amount_cents = 1_000_000 } });
        await c.PutAsync("/api/v1/customers/acme/wallets/spare", new { wallet = new { priority = 10 } });
        await c.GetJsonAsync("/api/v1/wallets?external_customer_id=acme");
        await c.GetJsonAsync("/api/v1/customers/acme/wallets");
        await c.GetJsonAsync("/api/v1/customers/acme/wallets?currency=EUR");
        await c.GetJsonAsync("/api/v1/wallets?external_customer_id=acme&currency=EUR");
        await c.GetJsonAsync($"/api/v1/wallets/{walletId}");
        await c.GetJsonAsync("/api/v1/customers/acme/wallets/spare");
        Is(HttpStatusCode.NotFound, await c.GetJsonAsync($"/api/v1/wallets/{Guid.NewGuid()}"));
        // Wallet alerts: one, several at once, and the mistakes.
        const string alerts = "/api/v1/customers/acme/wallets/spare/alerts";
        Is(HttpStatusCode.OK, await c.PostAsync(alerts, new { alert = new { alert_type = "wallet_balance_amount", code = "low", name = "Low", thresholds = new[] { new { value = "500", code = "warn" } } } }));
        Is(HttpStatusCode.OK, await c.PostAsync(alerts, new { alerts = new[] { new { alert_type = "wallet_credits_balance", code = "credits", thresholds = new[] { new { value = "10", recurring = false } } } } }));
        Is(HttpStatusCode.UnprocessableEntity, await c.PostAsync(alerts, new { alert = new { alert_type = "nope", code = "bad", thresholds = new[] { new { value = "1" } } } }));
        Is(HttpStatusCode.NotFound, await c.GetJsonAsync("/api/v1/customers/acme/wallets/nope/alerts"));
        await c.GetJsonAsync(alerts);
        await c.GetJsonAsync($"{alerts}/low");
        await c.PutAsync($"{alerts}/low", new { alert = new { name = "Running low", thresholds = new[] { new { value = "400" } } } });
        await c.DeleteJsonAsync($"{alerts}/low");
        Is(HttpStatusCode.OK, await c.DeleteJsonAsync(alerts));

        // Balances at any instant: the wallet as it stood, and its history.
        var instant = api.Clock.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'");
        var hoursAgo = api.Clock.GetUtcNow().AddHours(-3).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'");
        Is(HttpStatusCode.OK, await c.GetJsonAsync($"/api/v1/wallets/{walletId}?at={instant}"));
        Is(HttpStatusCode.UnprocessableEntity, await c.GetJsonAsync($"/api/v1/wallets/{walletId}?at=yesterday"));
        Is(HttpStatusCode.OK, await c.GetJsonAsync($"/api/v1/wallets/{walletId}/balance_history?from={hoursAgo}&to={instant}&granularity=hour"));
        Is(HttpStatusCode.UnprocessableEntity, await c.GetJsonAsync($"/api/v1/wallets/{walletId}/balance_history?from={instant}&to={hoursAgo}"));
        Is(HttpStatusCode.NotFound, await c.GetJsonAsync("/api/v1/wallets?external_customer_id=nobody"));
        Is(HttpStatusCode.UnprocessableEntity, await c.PostAsync("/api/v1/wallets", new { wallet = new { external_customer_id = "acme", rate_amount = "0", currency = "EUR" } }));
        Is(HttpStatusCode.UnprocessableEntity, await c.PostAsync("/api/v1/wallets", new { wallet = new { external_customer_id = "nobody", rate_amount = "1", currency = "EUR" } }));
        await c.PostAsync($"/api/v1/wallets/{walletId}/metadata", new { metadata = new { team = "core", owner = "ops" } });
        await c.PatchAsync($"/api/v1/wallets/{walletId}/metadata", new { metadata = new { owner = (string?)null } });
        await c.DeleteJsonAsync($"/api/v1/wallets/{walletId}/metadata/owner");
        await c.DeleteJsonAsync($"/api/v1/wallets/{walletId}/metadata");
        await c.PostAsync("/api/v1/customers/acme/wallets/spare/metadata", new { metadata = new { a = "1" } });
        await c.PatchAsync("/api/v1/customers/acme/wallets/spare/metadata", new { metadata = new { b = "2" } });
        await c.DeleteJsonAsync("/api/v1/customers/acme/wallets/spare/metadata/a");
        await c.DeleteJsonAsync("/api/v1/customers/acme/wallets/spare/metadata");
        Is(HttpStatusCode.UnprocessableEntity, await c.PostAsync($"/api/v1/wallets/{walletId}/metadata", new { metadata = "text" }));

        await WalletTransactionsAsync(c, walletId);
        await HoldsAsync(api, c, walletId);
        await UsageAndBillingAsync(api, c, subscription, plan, monthStart);

        // What the webhook endpoint was sent, one delivery sent again, and the endpoint removed.
        var deliveries = (await c.GetJsonAsync($"/api/v1/webhook_endpoints/{endpointId}/webhooks?status=pending")).Ok()["webhooks"]!.AsArray();
        Is(HttpStatusCode.OK, await c.PostAsync($"/api/v1/webhooks/{deliveries[0]!.Id()}/retry", new { }));
        Is(HttpStatusCode.NotFound, await c.PostAsync($"/api/v1/webhooks/{Guid.NewGuid()}/retry", new { }));
        await c.DeleteJsonAsync($"/api/v1/webhook_endpoints/{endpointId}");

        // Endings.
        await c.DeleteJsonAsync("/api/v1/customers/acme/wallets/spare");
        await c.DeleteJsonAsync($"/api/v1/wallets/{walletId}");
        await c.DeleteJsonAsync("/api/v1/add_ons/setup");
        await c.DeleteJsonAsync("/api/v1/subscriptions/acme-pro");
        await c.CustomerAsync("leaver", netPaymentTerm: null);
        await c.DeleteJsonAsync("/api/v1/customers/leaver");
        await c.TaxAsync("old", "1");
        await c.DeleteJsonAsync("/api/v1/taxes/old");
        await c.PostAsync("/api/v1/billable_metrics", new { billable_metric = new { name = "Old", code = "old", aggregation_type = "count_agg" } });
        await c.DeleteJsonAsync("/api/v1/billable_metrics/old");
        await c.PlanAsync("old", 100, []);
        await c.DeleteJsonAsync("/api/v1/plans/old");
    }

    private static Dictionary<string, object?> Graduated(string metricId) => new()
    {
        ["billable_metric_id"] = metricId, ["charge_model"] = "graduated", ["code"] = "tiers", ["properties"] = new
        {
            graduated_ranges = new object[]
            {
                new { from_value = 0, to_value = 10, per_unit_amount = "1", flat_amount = "0" },
                new { from_value = 11, to_value = (int?)null, per_unit_amount = "0.5", flat_amount = "1" },
            },
        },
    };

    private static async Task WalletTransactionsAsync(HttpClient c, string walletId)
    {
        var granted = (await c.TransactAsync(walletId, new { granted_credits = "20", name = "Gift", priority = 5, metadata = new[] { new { key = "why", value = "promo" } } }))[0]!;
        var paid = (await c.TransactAsync(walletId, new { paid_credits = "15" }))[0]!;
        var voided = (await c.TransactAsync(walletId, new { voided_credits = "3" }))[0]!;
        await c.TransactAsync(walletId, new { granted_credits = "4", expiration_at = "2099-01-01T00:00:00Z" });
        Is(HttpStatusCode.UnprocessableEntity, await c.PostAsync("/api/v1/wallet_transactions", new { wallet_transaction = new { wallet_id = walletId, granted_credits = "1", expiration_at = "2000-01-01T00:00:00Z" } }));
        await c.GetJsonAsync($"/api/v1/wallets/{walletId}/wallet_transactions");
        await c.GetJsonAsync($"/api/v1/wallets/{walletId}/wallet_transactions?status=settled&transaction_type=inbound&transaction_status=granted&metadata[source]=conformance");
        await c.GetJsonAsync($"/api/v1/wallet_transactions/{granted.Id()}");
        await c.GetJsonAsync($"/api/v1/wallet_transactions/{granted.Id()}/consumptions");
        await c.GetJsonAsync($"/api/v1/wallet_transactions/{voided.Id()}/fundings");
        await c.PostAsync($"/api/v1/wallet_transactions/{paid.Id()}/payment_url", "{}");
        await c.PostAsync($"/api/v1/wallet_transactions/{granted.Id()}/payment_url", "{}");
        Is(HttpStatusCode.NotFound, await c.GetJsonAsync($"/api/v1/wallet_transactions/{Guid.NewGuid()}"));
        Is(HttpStatusCode.UnprocessableEntity, await c.PostAsync("/api/v1/wallet_transactions", new { wallet_transaction = new { wallet_id = Guid.NewGuid(), granted_credits = "1" } }));
        Is(HttpStatusCode.UnprocessableEntity, await c.PostAsync("/api/v1/wallet_transactions", new { wallet_transaction = new { wallet_id = walletId, paid_credits = "abc" } }));
        Is(HttpStatusCode.BadRequest, await c.PostAsync("/api/v1/wallet_transactions", "not json"));

        // Idempotency: a replay, and the same key with another request.
        var body = new { wallet_transaction = new { wallet_id = walletId, granted_credits = "1" } };
        Is(HttpStatusCode.OK, await c.SendJsonAsync(HttpMethod.Post, "/api/v1/wallet_transactions", body, "grant-1"));
        Is(HttpStatusCode.OK, await c.SendJsonAsync(HttpMethod.Post, "/api/v1/wallet_transactions", body, "grant-1"));
        Is(HttpStatusCode.UnprocessableEntity, await c.SendJsonAsync(HttpMethod.Post, "/api/v1/wallet_transactions", new { wallet_transaction = new { wallet_id = walletId, granted_credits = "2" } }, "grant-1"));
    }

    /// <summary>Holds: created (and retried), captured, released, listed, and refused.</summary>
    private static async Task HoldsAsync(ApiFactory api, HttpClient c, string walletId)
    {
        var expiresAt = api.Clock.GetUtcNow().AddHours(1).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'");
        var body = new { hold = new { credits = "2", external_id = "llm-1", expires_at = expiresAt, metadata = new { model = "large" } } };
        var hold = (await c.PostAsync($"/api/v1/wallets/{walletId}/holds", body)).Ok()["hold"]!;
        Is(HttpStatusCode.OK, await c.PostAsync($"/api/v1/wallets/{walletId}/holds", body));
        Is(HttpStatusCode.OK, await c.PostAsync($"/api/v1/holds/{hold.Id()}/capture", new { hold = new { credits = "1.5" } }));
        var other = (await c.PostAsync($"/api/v1/wallets/{walletId}/holds", new { hold = new { credits = "1", external_id = "render-1" } })).Ok()["hold"]!;
        Is(HttpStatusCode.OK, await c.PostAsync($"/api/v1/holds/{other.Id()}/release", new { }));
        await c.GetJsonAsync($"/api/v1/holds/{hold.Id()}");
        await c.GetJsonAsync($"/api/v1/wallets/{walletId}/holds?status=captured");
        Is(HttpStatusCode.NotFound, await c.GetJsonAsync($"/api/v1/holds/{Guid.NewGuid()}"));
        Is(HttpStatusCode.NotFound, await c.PostAsync($"/api/v1/wallets/{Guid.NewGuid()}/holds", body));
        Is(HttpStatusCode.UnprocessableEntity, await c.PostAsync($"/api/v1/wallets/{walletId}/holds", new { hold = new { credits = "100000", external_id = "big" } }));
        Is(HttpStatusCode.UnprocessableEntity, await c.PostAsync($"/api/v1/holds/{other.Id()}/capture", new { hold = new { credits = "1" } }));
        Is(HttpStatusCode.NotFound, await c.PostAsync($"/api/v1/holds/{Guid.NewGuid()}/release", new { }));
    }

    private static async Task UsageAndBillingAsync(ApiFactory api, HttpClient c, System.Text.Json.Nodes.JsonNode subscription, System.Text.Json.Nodes.JsonNode plan, DateTimeOffset monthStart)
    {
        var at = api.Clock.GetUtcNow().ToUnixTimeSeconds();
        await c.PostAsync("/api/v1/events", new { @event = new { transaction_id = "e1", external_subscription_id = "acme-pro", code = "units", timestamp = at, properties = new { units = "12", region = "eu" } } });
        await c.PostAsync("/api/v1/events/batch", new
        {
            events = new[]
            {
                new { transaction_id = "e2", external_subscription_id = "acme-pro", code = "units", timestamp = at, properties = new { units = "3", region = "us" } },
                new { transaction_id = "e3", external_subscription_id = "acme-pro", code = "calls", timestamp = at, properties = new { units = "1", region = "eu" } },
            },
        });
        Is(HttpStatusCode.UnprocessableEntity, await c.PostAsync("/api/v1/events", new { @event = new { transaction_id = "e4", code = "units" } }));
        Is(HttpStatusCode.UnprocessableEntity, await c.PostAsync("/api/v1/events/batch", new { events = new[] { new { code = "units" } } }));
        await c.GetJsonAsync("/api/v1/events?external_subscription_id=acme-pro");
        await c.GetJsonAsync("/api/v1/events?code=calls&timestamp_from=2020-01-01T00:00:00Z&timestamp_to=2100-01-01T00:00:00Z");
        await c.GetJsonAsync("/api/v1/events?external_subscription_id=acme-pro&timestamp_from_started_at=true");
        Is(HttpStatusCode.OK, await c.GetJsonAsync("/api/v1/customers/acme/current_usage?external_subscription_id=acme-pro&apply_taxes=false"));
        await c.GetJsonAsync("/api/v1/events/e1");
        Is(HttpStatusCode.NotFound, await c.GetJsonAsync("/api/v1/events/nope"));
        Is(HttpStatusCode.OK, await c.GetJsonAsync("/api/v1/customers/acme/current_usage?external_subscription_id=acme-pro"));
        Is(HttpStatusCode.MethodNotAllowed, await c.GetJsonAsync("/api/v1/customers/acme/current_usage?external_subscription_id=nope"));

        await api.UsageAsync(subscription, plan.ChargeId(), monthStart, 7);
        await api.BillAsync(monthStart.AddMonths(1).AddHours(1));
        var invoices = await c.InvoicesAsync("acme");
        var invoice = invoices.Count > 0 ? invoices[^1] : throw new Xunit.Sdk.XunitException("the billing run made no invoice");
        await c.GetJsonAsync("/api/v1/invoices");
        await c.GetJsonAsync("/api/v1/invoices?external_customer_id=acme&invoice_type=subscription&currency=EUR&status=finalized&payment_status=pending&issuing_date_from=2020-01-01&issuing_date_to=2100-01-01&amount_from=0&amount_to=100000000");
        await c.GetJsonAsync("/api/v1/customers/acme/invoices?statuses[]=finalized&payment_statuses[]=succeeded&invoice_type=credit&currency=EUR&issuing_date_from=2020-01-01&issuing_date_to=2100-01-01&amount_from=0&amount_to=1");
        await c.GetJsonAsync($"/api/v1/invoices/{invoice.Id()}");
        await c.PutAsync($"/api/v1/invoices/{invoice.Id()}", new { invoice = new { payment_status = "succeeded", metadata = new[] { new { key = "po", value = "42" } } } });
        await c.PostAsync($"/api/v1/invoices/{invoice.Id()}/void", "{}");
        var oneOff = (await c.PostAsync("/api/v1/invoices", new
        {
            invoice = new { external_customer_id = "acme", currency = "EUR", fees = new object[] { new { add_on_code = "setup", units = "2", tax_codes = new[] { "reduced" } } } },
        })).Ok()["invoice"]!;
        await c.PostAsync($"/api/v1/invoices/{oneOff.Id()}/void", "{}");
        Is(HttpStatusCode.MethodNotAllowed, await c.PostAsync($"/api/v1/invoices/{oneOff.Id()}/void", "{}"));
        Is(HttpStatusCode.NotFound, await c.PostAsync("/api/v1/invoices", new { invoice = new { external_customer_id = "nobody", fees = new[] { new { add_on_code = "setup" } } } }));
        Is(HttpStatusCode.NotFound, await c.GetJsonAsync($"/api/v1/invoices/{Guid.NewGuid()}"));
    }

    /// <summary>The scenario's expectations, checked after it ran, so one run reports every surprise.</summary>
    private static readonly AsyncLocal<List<string>> Surprises = new();

    public static List<string> Expectations() => Surprises.Value = [];

    private static void Is(HttpStatusCode expected, Reply reply)
    {
        if (reply.Status != expected) Surprises.Value?.Add($"expected {(int)expected}, got {(int)reply.Status}: {reply.Text}");
    }

    /// <summary>A client that speaks for the same organization as <paramref name="client"/>, through <paramref name="traffic"/>.</summary>
    public static HttpClient Recorded(this ApiFactory api, RecordedTraffic traffic, AuthenticationHeaderValue? authorization)
    {
        var recorded = api.CreateDefaultClient(traffic);
        recorded.DefaultRequestHeaders.Authorization = authorization;
        return recorded;
    }
}
