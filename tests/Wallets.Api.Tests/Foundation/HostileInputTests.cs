using System.Text;
using System.Text.Json.Nodes;
using Wallets.Api.Tests.Infrastructure;

namespace Wallets.Api.Tests.Foundation;

/// <summary>
/// Bad input is never a 500. Every write endpoint is sent a body it accepts with one value at a time replaced by
/// something hostile (another JSON type, out of range, too big for any column, a malformed date, a control character)
/// or left out; every route with an identifier gets hostile path segments, every list hostile query parameters, every
/// write malformed bodies, and a write hostile credentials, idempotency keys and content types. Each answer must be a
/// 2xx or a 4xx with Lago's error body.
/// </summary>
public sealed partial class HostileInputTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    /// <summary>Raw JSON tokens put in place of each value.</summary>
    private static readonly string[] HostileValues =
    [
        "null", "\"\"", "\"" + new string('x', 3000) + "\"", "-1", "0", "1.5", "1e400", "123456789012345678901234567890",
        "-9223372036854775809", "true", "[]", "{}", "[null]", "\"2026-13-45T25:61:00Z\"", "\"NaN\"", "\"\\u0000\"",
        "\"-0.000001\"", "\"99999999999999999999999999999999.99\"", "\"1e400\"",
    ];

    // No "%00": the in-process test server refuses a NUL in a path before the app sees it (as Kestrel does).
    private static readonly string[] HostileSegments = ["x", "00000000-0000-0000-0000-000000000000", new string('a', 3000), "%FF", "..%2F..", "%20", "1e400"];

    private static readonly string[] HostileQueryValues = ["-1", "0", "abc", "99999999999", "1e400", "", "%00", "2026-13-45", new string('q', 3000), "%5B", "%FF"];

    private static readonly string[] QueryNames =
    [
        "page", "per_page", "external_customer_id", "external_subscription_id", "status", "transaction_type", "transaction_status",
        "code", "timestamp_from", "timestamp_to", "timestamp_from_started_at", "issuing_date_from", "issuing_date_to",
        "payment_status", "invoice_type", "currency", "plan_code", "metadata[k]", "status[]", "billing_time",
    ];

    private int _unique;

    private sealed record Fixture(HttpClient Client, string WalletId, string GrantId, string PaidInvoiceId, string OneOffInvoiceId, string GbId, string CallsId, string RegionalId);

    private async Task<Fixture> FixtureAsync()
    {
        var client = await api.NewOrganizationClientAsync();
        // Every accepted wallet creation would otherwise soon meet the limit of 6 per customer and stop going deeper.
        await api.ScalarAsync<int>("WITH u AS (UPDATE organizations SET max_wallets = 100000 RETURNING 1) SELECT count(*)::int FROM u");
        (await client.PostAsync("/api/v1/taxes", new { tax = new { name = "VAT", code = "vat", rate = "20" } })).Ok();
        await client.CustomerAsync("acme", "EUR");
        var gb = await client.MetricAsync("gb", "sum_agg");
        var calls = await client.MetricAsync("calls");
        var regional = (string)(await client.PostAsync("/api/v1/billable_metrics", new
        {
            billable_metric = new { name = "Regional", code = "regional", aggregation_type = "sum_agg", field_name = "value", filters = new[] { new { key = "region", values = new[] { "eu", "us" } } } },
        })).Ok()["billable_metric"]!["lago_id"]!;
        await client.MetricAsync("upd", "max_agg");
        (await client.PostAsync("/api/v1/plans", new
        {
            plan = new
            {
                name = "Base", code = "base", interval = "monthly", amount_cents = 1000, amount_currency = "EUR",
                charges = new object[] { new { billable_metric_id = gb, code = "gb_charge", charge_model = "standard", accepts_target_wallet = true, properties = new { amount = "1" } } },
            },
        })).Ok();
        await client.PlanAsync("other", "EUR");
        await client.SubscribeAsync("acme", "sub", "base");
        (await client.PostAsync("/api/v1/add_ons", new { add_on = new { name = "Setup", code = "setup", amount_cents = 1000, amount_currency = "EUR" } })).Ok();
        var wallet = await client.WalletAsync("acme", new { code = "main", granted_credits = "100" }, currency: "EUR");
        var grant = (string)(await client.GetJsonAsync($"/api/v1/wallets/{wallet.Id()}/wallet_transactions")).Ok()["wallet_transactions"]![0]!["lago_id"]!;
        var purchase = await client.TransactAsync(wallet.Id(), new { paid_credits = "5" });
        var paidInvoice = (string)purchase[0]!["lago_invoice_id"]!;
        var oneOff = (string)(await client.PostAsync("/api/v1/invoices", new { invoice = new { external_customer_id = "acme", fees = new[] { new { add_on_code = "setup" } } } })).Ok()["invoice"]!["lago_id"]!;
        return new Fixture(client, wallet.Id(), grant, paidInvoice, oneOff, gb, calls, regional);
    }

    [Fact]
    public async Task Hostile_values_in_catalog_bodies_are_never_a_server_error()
    {
        var f = await FixtureAsync();
        var failures = new List<string>();
        await MutateAsync(f.Client, failures, HttpMethod.Post, _ => "/api/v1/billable_metrics", n => new
        {
            billable_metric = new
            {
                name = "M", code = $"m{n}", description = "d", aggregation_type = "sum_agg", field_name = "value", recurring = false,
                rounding_function = "round", rounding_precision = 2, filters = new[] { new { key = "region", values = new[] { "eu", "us" } } },
            },
        });
        await MutateAsync(f.Client, failures, HttpMethod.Put, _ => "/api/v1/billable_metrics/upd", _ => new
        {
            billable_metric = new { name = "U", description = "d", aggregation_type = "max_agg", field_name = "value" },
        });
        await MutateAsync(f.Client, failures, HttpMethod.Post, _ => "/api/v1/taxes", n => new
        {
            tax = new { name = "T", code = $"t{n}", rate = "20.5", description = "d", applied_to_organization = false },
        });
        await MutateAsync(f.Client, failures, HttpMethod.Put, _ => "/api/v1/taxes/vat", _ => new { tax = new { name = "VAT", rate = "19.6", applied_to_organization = false } });
        await MutateAsync(f.Client, failures, HttpMethod.Post, _ => "/api/v1/add_ons", n => new
        {
            add_on = new { name = "A", code = $"a{n}", invoice_display_name = "A", description = "d", amount_cents = 500, amount_currency = "EUR", tax_codes = new[] { "vat" } },
        });
        await MutateAsync(f.Client, failures, HttpMethod.Put, _ => "/api/v1/add_ons/setup", _ => new { add_on = new { name = "Setup", amount_cents = 1200, amount_currency = "EUR" } });
        await MutateAsync(f.Client, failures, HttpMethod.Post, _ => "/api/v1/plans", n => new
        {
            plan = new
            {
                name = "P", code = $"p{n}", invoice_display_name = "P", description = "d", interval = "monthly", amount_cents = 1000,
                amount_currency = "EUR", trial_period = 0, pay_in_advance = false, bill_charges_monthly = false, tax_codes = new[] { "vat" },
                charges = new object[]
                {
                    new
                    {
                        billable_metric_id = f.GbId, code = "c1", charge_model = "graduated", invoiceable = true, pay_in_advance = false, prorated = false,
                        min_amount_cents = 0, invoice_display_name = "G", accepts_target_wallet = true, tax_codes = new[] { "vat" },
                        properties = new
                        {
                            graduated_ranges = new object[]
                            {
                                new { from_value = 0, to_value = 10, per_unit_amount = "0.5", flat_amount = "1" },
                                new { from_value = 11, to_value = (int?)null, per_unit_amount = "0.1", flat_amount = "0" },
                            },
                        },
                    },
                    new { billable_metric_id = f.CallsId, code = "c2", charge_model = "package", properties = new { amount = "5", free_units = 10, package_size = 100 } },
                    new
                    {
                        billable_metric_id = f.RegionalId, code = "c3", charge_model = "standard", properties = new { amount = "0.25" },
                        filters = new[] { new { invoice_display_name = "EU", properties = new { amount = "0.3" }, values = new { region = new[] { "eu" } } } },
                    },
                },
            },
        });
        await MutateAsync(f.Client, failures, HttpMethod.Put, _ => "/api/v1/plans/other", _ => new
        {
            plan = new
            {
                name = "Other", interval = "monthly", amount_cents = 2000, amount_currency = "EUR", cascade_updates = true,
                charges = new object[] { new { billable_metric_id = f.CallsId, charge_model = "standard", properties = new { amount = "2" } } },
            },
        });
        await MutateAsync(f.Client, failures, HttpMethod.Post, _ => "/api/v1/plans/base/charges", n => new
        {
            charge = new { billable_metric_id = f.CallsId, code = $"ch{n}", charge_model = "standard", invoiceable = true, tax_codes = new[] { "vat" }, properties = new { amount = "1" } },
        });
        await MutateAsync(f.Client, failures, HttpMethod.Put, _ => "/api/v1/plans/base/charges/gb_charge", _ => new
        {
            charge = new { charge_model = "standard", invoice_display_name = "GB", accepts_target_wallet = true, tax_codes = new[] { "vat" }, properties = new { amount = "2" } },
        });
        AssertNone(failures);
    }

    [Fact]
    public async Task Hostile_values_in_customer_wallet_and_transaction_bodies_are_never_a_server_error()
    {
        var f = await FixtureAsync();
        var failures = new List<string>();
        await MutateAsync(f.Client, failures, HttpMethod.Post, _ => "/api/v1/customers", n => new
        {
            customer = new
            {
                external_id = $"c{n}", name = "N", firstname = "F", lastname = "L", email = "a@b.co", currency = "EUR", timezone = "Europe/Paris",
                country = "FR", address_line1 = "1 rue", zipcode = "75001", net_payment_term = 30, customer_type = "company", account_type = "customer",
                metadata = new[] { new { key = "k", value = "v", display_in_invoice = true } }, tax_codes = new[] { "vat" },
            },
        });
        object Wallet(int n, bool global) => new
        {
            wallet = new
            {
                external_customer_id = global ? "acme" : null, name = "W", code = $"w{n}", rate_amount = "1.5", currency = "EUR", priority = 10,
                paid_credits = "10", granted_credits = "5", expiration_at = "2027-01-01T00:00:00Z", invoice_requires_successful_payment = false,
                paid_top_up_min_amount_cents = 100, paid_top_up_max_amount_cents = 100000, ignore_paid_top_up_limits_on_creation = true,
                transaction_name = "T", transaction_metadata = new[] { new { key = "k", value = "v" } }, transaction_priority = 5,
                applies_to = new { fee_types = new[] { "charge" }, billable_metric_codes = new[] { "gb" } }, metadata = new { k = "v" },
                recurring_transaction_rules = new[]
                {
                    new
                    {
                        trigger = "threshold", method = "target", threshold_credits = "5", target_ongoing_balance = "50", grants_target_top_up = true,
                        started_at = "2026-02-01T00:00:00Z", expiration_at = "2027-01-01T00:00:00Z", invoice_requires_successful_payment = true,
                        ignore_paid_top_up_limits = true, transaction_name = "R", transaction_metadata = new[] { new { key = "k", value = "v" } },
                    },
                },
            },
        };
        object WalletUpdate(int _) => new
        {
            wallet = new
            {
                name = "W2", priority = 20, expiration_at = "2027-06-01T00:00:00Z", invoice_requires_successful_payment = true,
                paid_top_up_min_amount_cents = 100, applies_to = new { fee_types = new[] { "subscription" } }, metadata = new { a = "b" },
                recurring_transaction_rules = new[] { new { trigger = "interval", interval = "monthly", paid_credits = "2", granted_credits = "1", started_at = "2026-03-01T00:00:00Z" } },
            },
        };
        await MutateAsync(f.Client, failures, HttpMethod.Post, _ => "/api/v1/wallets", n => Wallet(n, global: true));
        await MutateAsync(f.Client, failures, HttpMethod.Post, _ => "/api/v1/customers/acme/wallets", n => Wallet(n, global: false));
        await MutateAsync(f.Client, failures, HttpMethod.Put, _ => $"/api/v1/wallets/{f.WalletId}", WalletUpdate);
        await MutateAsync(f.Client, failures, HttpMethod.Put, _ => "/api/v1/customers/acme/wallets/main", WalletUpdate);
        await MutateAsync(f.Client, failures, HttpMethod.Post, _ => "/api/v1/wallet_transactions", _ => new
        {
            wallet_transaction = new
            {
                wallet_id = f.WalletId, paid_credits = "2", granted_credits = "1", name = "T", priority = 5,
                metadata = new[] { new { key = "k", value = "v" } }, invoice_requires_successful_payment = false, ignore_paid_top_up_limits = true,
            },
        });
        await MutateAsync(f.Client, failures, HttpMethod.Post, _ => "/api/v1/wallet_transactions", _ => new { wallet_transaction = new { wallet_id = f.WalletId, voided_credits = "0.5" } });
        await MutateAsync(f.Client, failures, HttpMethod.Post, _ => "/api/v1/wallet_transactions", _ => new
        {
            wallet_transaction = new { wallet_id = f.WalletId, voided_transaction_id = f.GrantId, voided_credits = "0.01" },
        });
        foreach (var method in new[] { HttpMethod.Post, HttpMethod.Patch })
            await MutateAsync(f.Client, failures, method, _ => $"/api/v1/wallets/{f.WalletId}/metadata", _ => new { metadata = new { k = "v", n = "x" } });
        AssertNone(failures);
    }

    [Fact]
    public async Task Hostile_values_in_subscription_event_and_invoice_bodies_are_never_a_server_error()
    {
        var f = await FixtureAsync();
        var failures = new List<string>();
        await MutateAsync(f.Client, failures, HttpMethod.Post, _ => "/api/v1/subscriptions", n => new
        {
            subscription = new
            {
                external_customer_id = "acme", external_id = $"s{n}", plan_code = "base", name = "S", billing_time = "anniversary",
                subscription_at = "2026-01-10T00:00:00Z", ending_at = "2027-01-01T00:00:00Z",
            },
        });
        await MutateAsync(f.Client, failures, HttpMethod.Put, _ => "/api/v1/subscriptions/sub", _ => new
        {
            subscription = new { name = "S2", ending_at = "2027-02-01T00:00:00Z", subscription_at = "2026-01-10T00:00:00Z" },
        });
        object Event(int n, string code) => new
        {
            transaction_id = $"e{n}{code}", external_subscription_id = "sub", external_customer_id = "acme", code, timestamp = 1768471200,
            precise_total_amount_cents = "12.5", target_wallet_code = "main", properties = new { value = "2.5", region = "eu" },
        };
        await MutateAsync(f.Client, failures, HttpMethod.Post, _ => "/api/v1/events", n => new { @event = Event(n, "gb") });
        await MutateAsync(f.Client, failures, HttpMethod.Post, _ => "/api/v1/events/batch", n => new { events = new[] { Event(n, "gb"), Event(n, "calls") } });
        await MutateAsync(f.Client, failures, HttpMethod.Post, _ => "/api/v1/invoices", _ => new
        {
            invoice = new
            {
                external_customer_id = "acme", currency = "EUR",
                fees = new[] { new { add_on_code = "setup", unit_amount_cents = 1500, units = "2.5", description = "d", invoice_display_name = "I", tax_codes = new[] { "vat" } } },
            },
        });
        await MutateAsync(f.Client, failures, HttpMethod.Put, _ => $"/api/v1/invoices/{f.PaidInvoiceId}", _ => new
        {
            invoice = new { payment_status = "succeeded", metadata = new[] { new { key = "k", value = "v" } } },
        });
        AssertNone(failures);
    }

    [Fact]
    public async Task Hostile_paths_queries_and_bodies_are_never_a_server_error()
    {
        var f = await FixtureAsync();
        var failures = new List<string>();
        string[] lists =
        [
            "customers", "wallets?external_customer_id=acme", "billable_metrics", "plans", "plans/base/charges", "taxes", "add_ons", "subscriptions",
            "events", "invoices", "customers/acme/invoices", "customers/acme/subscriptions", "customers/acme/wallets",
            $"wallets/{f.WalletId}/wallet_transactions", $"wallet_transactions/{f.GrantId}/consumptions", $"wallet_transactions/{f.GrantId}/fundings",
            "customers/acme/current_usage?external_subscription_id=sub",
        ];
        foreach (var list in lists)
            foreach (var name in QueryNames)
                foreach (var value in HostileQueryValues)
                    await CheckAsync(f.Client, failures, HttpMethod.Get, $"/api/v1/{list}{(list.Contains('?') ? '&' : '?')}{name}={value}", null);

        // Every route with an identifier in its path, each method it answers, with hostile identifiers; writes get a body
        // of the right root with nothing in it.
        (HttpMethod Method, string Template, string? Body)[] routes =
        [
            (HttpMethod.Get, "customers/{}", null), (HttpMethod.Delete, "customers/{}", null), (HttpMethod.Get, "customers/{}/current_usage", null),
            (HttpMethod.Get, "customers/{}/invoices", null), (HttpMethod.Get, "customers/{}/subscriptions", null), (HttpMethod.Get, "customers/{}/wallets", null),
            (HttpMethod.Post, "customers/{}/wallets", """{"wallet":{}}"""), (HttpMethod.Get, "customers/acme/wallets/{}", null),
            (HttpMethod.Put, "customers/acme/wallets/{}", """{"wallet":{}}"""), (HttpMethod.Delete, "customers/acme/wallets/{}", null),
            (HttpMethod.Get, "wallets/{}", null), (HttpMethod.Put, "wallets/{}", """{"wallet":{}}"""), (HttpMethod.Delete, "wallets/{}", null),
            (HttpMethod.Post, "wallets/{}/metadata", """{"metadata":{}}"""), (HttpMethod.Patch, "wallets/{}/metadata", """{"metadata":{}}"""),
            (HttpMethod.Delete, "wallets/{}/metadata", null), (HttpMethod.Delete, $"wallets/{f.WalletId}/metadata/{{}}", null),
            (HttpMethod.Get, "wallets/{}/wallet_transactions", null), (HttpMethod.Get, "wallet_transactions/{}", null),
            (HttpMethod.Get, "wallet_transactions/{}/consumptions", null), (HttpMethod.Get, "wallet_transactions/{}/fundings", null),
            (HttpMethod.Post, "wallet_transactions/{}/payment_url", null), (HttpMethod.Get, "billable_metrics/{}", null),
            (HttpMethod.Put, "billable_metrics/{}", """{"billable_metric":{}}"""), (HttpMethod.Delete, "billable_metrics/{}", null),
            (HttpMethod.Get, "plans/{}", null), (HttpMethod.Put, "plans/{}", """{"plan":{}}"""), (HttpMethod.Delete, "plans/{}", null),
            (HttpMethod.Get, "plans/{}/charges", null), (HttpMethod.Post, "plans/{}/charges", """{"charge":{}}"""),
            (HttpMethod.Get, "plans/base/charges/{}", null), (HttpMethod.Put, "plans/base/charges/{}", """{"charge":{}}"""),
            (HttpMethod.Delete, "plans/base/charges/{}", null), (HttpMethod.Get, "taxes/{}", null), (HttpMethod.Put, "taxes/{}", """{"tax":{}}"""),
            (HttpMethod.Delete, "taxes/{}", null), (HttpMethod.Get, "add_ons/{}", null), (HttpMethod.Put, "add_ons/{}", """{"add_on":{}}"""),
            (HttpMethod.Delete, "add_ons/{}", null), (HttpMethod.Get, "subscriptions/{}", null), (HttpMethod.Put, "subscriptions/{}", """{"subscription":{}}"""),
            (HttpMethod.Delete, "subscriptions/{}", null), (HttpMethod.Get, "events/{}", null), (HttpMethod.Get, "invoices/{}", null),
            (HttpMethod.Put, "invoices/{}", """{"invoice":{}}"""), (HttpMethod.Post, "invoices/{}/void", null),
        ];
        foreach (var (method, template, body) in routes)
            foreach (var segment in HostileSegments)
                await CheckAsync(f.Client, failures, method, "/api/v1/" + template.Replace("{}", segment), body);

        // Bodies that are not the JSON object a write expects, on every write route.
        string[] writes =
        [
            "customers", "wallets", "customers/acme/wallets", $"wallets/{f.WalletId}", "customers/acme/wallets/main", "wallet_transactions",
            $"wallets/{f.WalletId}/metadata", "billable_metrics", "billable_metrics/upd", "taxes", "taxes/vat", "add_ons", "add_ons/setup", "plans",
            "plans/other", "plans/base/charges", "plans/base/charges/gb_charge", "subscriptions", "subscriptions/sub", "events", "events/batch",
            "invoices", $"invoices/{f.OneOffInvoiceId}",
        ];
        string[] bodies = ["", "null", "[]", "{}", "1", "\"x\"", """{"x":1}""", "{\"customer\":", "\u00ff\u00fe", """{"a":""" + new string('[', 2000) + "]"];
        foreach (var path in writes)
            foreach (var method in new[] { HttpMethod.Post, HttpMethod.Put, HttpMethod.Patch })
                foreach (var body in bodies)
                    await CheckAsync(f.Client, failures, method, "/api/v1/" + path, body);

        // Hostile headers: credentials, idempotency keys and content types.
        string[] authorizations = ["Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Bearer " + new string('k', 5000), "bearer x y", "Token abc"];
        foreach (var authorization in authorizations)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/customers");
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
            await CheckAsync(f.Client, failures, request, $"Authorization: {authorization}");
        }
        string[] keys = ["", " ", new string('i', 256), new string('i', 5000), "ключ", "a\tb"];
        foreach (var key in keys)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/customers")
            {
                Content = new StringContent("""{"customer":{"external_id":"idem"}}""", Encoding.UTF8, "application/json"),
            };
            request.Headers.TryAddWithoutValidation("Idempotency-Key", key);
            await CheckAsync(f.Client, failures, request, $"Idempotency-Key: {key}");
        }
        string?[] contentTypes = [null, "text/plain", "application/xml", "application/json; charset=latin1", "multipart/form-data; boundary=x", "application/x-www-form-urlencoded"];
        foreach (var contentType in contentTypes)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/customers") { Content = new ByteArrayContent(Encoding.UTF8.GetBytes("""{"customer":{"external_id":"typed"}}""")) };
            if (contentType is not null) request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
            await CheckAsync(f.Client, failures, request, $"Content-Type: {contentType}");
        }
        AssertNone(failures);
    }

    /// <summary>
    /// Sends <paramref name="body"/>'s JSON once per (value, hostile token) pair with that value replaced, and once per
    /// value with it left out. Each send gets a fresh number, so bodies that are accepted do not collide with earlier ones.
    /// </summary>
    private async Task MutateAsync(HttpClient client, List<string> failures, HttpMethod method, Func<int, string> path, Func<int, object> body)
    {
        var template = JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(body(0)))!;
        foreach (var location in Locations(template, []))
        {
            foreach (var token in HostileValues.Append<string?>(null))
            {
                var n = Interlocked.Increment(ref _unique);
                var mutated = JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(body(n)))!;
                await CheckAsync(client, failures, method, path(n), Mutate(mutated, location, token));
            }
        }
    }

    private const string Marker = "@@hostile@@";

    /// <summary>The value at <paramref name="location"/> replaced by the raw <paramref name="token"/>, or removed when it is null.</summary>
    private static string Mutate(JsonNode root, IReadOnlyList<object> location, string? token)
    {
        var parent = root;
        foreach (var step in location.SkipLast(1)) parent = step is string key ? parent[key]! : parent[(int)step]!;
        var last = location[^1];
        if (token is null)
        {
            if (last is string key) parent.AsObject().Remove(key);
            else parent.AsArray().RemoveAt((int)last);
            return root.ToJsonString();
        }
        if (last is string k) parent[k] = Marker;
        else parent[(int)last] = Marker;
        return root.ToJsonString().Replace($"\"{Marker}\"", token, StringComparison.Ordinal);
    }

    /// <summary>Every value under <paramref name="node"/> (objects and arrays too), as the path of keys and indexes to it.</summary>
    private static IEnumerable<IReadOnlyList<object>> Locations(JsonNode? node, List<object> path)
    {
        var children = node switch
        {
            JsonObject o => o.Select(p => ((object)p.Key, p.Value)).ToList(),
            JsonArray a => a.Select((v, i) => ((object)i, v)).ToList(),
            _ => [],
        };
        foreach (var (step, child) in children)
        {
            var here = new List<object>(path) { step };
            yield return here;
            foreach (var deeper in Locations(child, here)) yield return deeper;
        }
    }

    private static async Task CheckAsync(HttpClient client, List<string> failures, HttpMethod method, string path, string? body)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null) request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        await CheckAsync(client, failures, request, Cut(body ?? ""));
    }

    private static async Task CheckAsync(HttpClient client, List<string> failures, HttpRequestMessage request, string what)
    {
        var (method, path) = (request.Method, request.RequestUri!.ToString());
        using var response = await client.SendAsync(request);
        var status = (int)response.StatusCode;
        var text = await response.Content.ReadAsStringAsync();
        if (status < 400) return;
        string? problem = null;
        if (status >= 500) problem = "server error";
        else
        {
            try
            {
                if ((int?)JsonNode.Parse(text)?["status"] != status || JsonNode.Parse(text)?["error"] is null) problem = "not a Lago error body";
            }
            catch (System.Text.Json.JsonException)
            {
                problem = "not a Lago error body";
            }
        }
        if (problem is not null && failures.Count < 50)
            failures.Add($"{problem}: {method} {Cut(path)} {Cut(what)} → {status} {Cut(text)}");
    }

    private static string Cut(string s) => s.Length <= 300 ? s : s[..300] + "…";

    private static void AssertNone(List<string> failures) =>
        Assert.True(failures.Count == 0, $"{failures.Count} answer(s) broke the rule:\n" + string.Join("\n", failures));
}
