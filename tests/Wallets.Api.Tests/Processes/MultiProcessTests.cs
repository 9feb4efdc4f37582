using System.Net;
using System.Text.Json.Nodes;
using Wallets.Api.Tests.Infrastructure;
using Wallets.Api.Tests.Webhooks;

namespace Wallets.Api.Tests.Processes;

/// <summary>
/// DESIGN.md 15 under test: two API processes share one database and both run every job, and each piece of work
/// happens exactly once: a billing period is billed once, a threshold rule tops a wallet up once, an expired wallet is
/// terminated (its credits voided) once, each webhook reaches its endpoint once while both dispatch, and an
/// Idempotency-Key stored by one process replays in the other.
/// </summary>
public sealed class MultiProcessTests(ServerProcesses servers) : IClassFixture<ServerProcesses>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    private HttpClient First => servers.Clients[0];
    private HttpClient Second => servers.Clients[1];

    /// <summary>Customers made through both processes in turn.</summary>
    private async Task<List<string>> CustomersAsync(string prefix, int count)
    {
        var made = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var id = $"{prefix}{i}";
            (await servers.Clients[i % 2].PostAsync("/api/v1/customers", new { customer = new { external_id = id, currency = "EUR" } })).Ok();
            made.Add(id);
        }
        return made;
    }

    [Fact]
    public async Task The_billing_run_bills_each_subscription_period_once()
    {
        (await First.PostAsync("/api/v1/plans", new { plan = new { name = "Monthly", code = "monthly", interval = "monthly", amount_cents = 1000, amount_currency = "EUR" } })).Ok();
        var customers = await CustomersAsync("bill", 12);
        foreach (var (customer, i) in customers.Select((c, i) => (c, i)))
            (await servers.Clients[i % 2].PostAsync("/api/v1/subscriptions", new { subscription = new { external_customer_id = customer, plan_code = "monthly", external_id = $"sub-{customer}" } })).Ok();
        // Started on 1 September (UTC, calendar billing): September, October and November have ended, so three invoices each.
        var start = new DateTimeOffset(DateTimeOffset.UtcNow.Year, DateTimeOffset.UtcNow.Month, 1, 0, 0, 0, TimeSpan.Zero).AddMonths(-3);
        await servers.ScalarAsync<int>("""
            WITH u AS (UPDATE subscriptions SET subscription_at = @s, started_at = @s, created_at = @s, next_billing_at = NULL
                       WHERE external_id LIKE 'sub-bill%' RETURNING 1)
            SELECT count(*)::int FROM u
            """, ("s", start));

        const string Billed = "SELECT count(*) FROM invoice_subscriptions s JOIN subscriptions x ON x.id = s.subscription_id WHERE x.external_id LIKE 'sub-bill%'";
        Assert.True(await ServerProcesses.EventuallyAsync(async () => await servers.ScalarAsync<long>(Billed) >= 36, Patience),
            $"billed {await servers.ScalarAsync<long>(Billed)} of 36 periods");
        await Task.Delay(TimeSpan.FromSeconds(5)); // more rounds of both processes
        Assert.Equal(36L, await servers.ScalarAsync<long>(Billed));
        Assert.Equal(36L, await servers.ScalarAsync<long>("SELECT count(*) FROM invoices i JOIN customers c ON c.id = i.customer_id WHERE c.external_id LIKE 'bill%' AND i.invoice_type = 'subscription'"));
        // Three distinct periods per subscription, whichever process billed each.
        Assert.Equal(12L, await servers.ScalarAsync<long>("""
            SELECT count(*) FROM (SELECT s.subscription_id FROM invoice_subscriptions s JOIN subscriptions x ON x.id = s.subscription_id
                                  WHERE x.external_id LIKE 'sub-bill%' GROUP BY 1 HAVING count(DISTINCT s.from_datetime) = 3) d
            """));
    }

    [Fact]
    public async Task A_threshold_rule_tops_each_wallet_up_once()
    {
        var customers = await CustomersAsync("topup", 10);
        var wallets = new List<string>();
        foreach (var (customer, i) in customers.Select((c, i) => (c, i)))
        {
            var body = new
            {
                wallet = new
                {
                    external_customer_id = customer, rate_amount = "1", currency = "EUR", name = "w",
                    recurring_transaction_rules = new[] { new { trigger = "threshold", method = "fixed", threshold_credits = "5", granted_credits = "10" } },
                },
            };
            wallets.Add((string)(await servers.Clients[i % 2].PostAsync("/api/v1/wallets", body)).Ok()["wallet"]!["lago_id"]!);
        }

        const string ToppedUp = "SELECT count(*) FROM wallet_transactions t JOIN wallets w ON w.id = t.wallet_id JOIN customers c ON c.id = w.customer_id WHERE c.external_id LIKE 'topup%' AND t.source = 'threshold'";
        Assert.True(await ServerProcesses.EventuallyAsync(async () => await servers.ScalarAsync<long>(ToppedUp) >= 10, Patience),
            $"{await servers.ScalarAsync<long>(ToppedUp)} of 10 wallets topped up");
        await Task.Delay(TimeSpan.FromSeconds(4));
        Assert.Equal(10L, await servers.ScalarAsync<long>(ToppedUp));
        foreach (var wallet in wallets)
            Assert.Equal(1000L, (long)(await Second.GetJsonAsync($"/api/v1/wallets/{wallet}")).Ok()["wallet"]!["balance_cents"]!);
    }

    [Fact]
    public async Task Expiry_terminates_each_wallet_once()
    {
        var customers = await CustomersAsync("expire", 10);
        var expiresAt = DateTimeOffset.UtcNow.AddSeconds(4).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'");
        var wallets = new List<string>();
        foreach (var (customer, i) in customers.Select((c, i) => (c, i)))
            wallets.Add((string)(await servers.Clients[i % 2].PostAsync("/api/v1/wallets", new
            {
                wallet = new { external_customer_id = customer, rate_amount = "1", currency = "EUR", granted_credits = "7", expiration_at = expiresAt },
            })).Ok()["wallet"]!["lago_id"]!);

        const string Terminated = "SELECT count(*) FROM wallets w JOIN customers c ON c.id = w.customer_id WHERE c.external_id LIKE 'expire%' AND w.status = 'terminated'";
        Assert.True(await ServerProcesses.EventuallyAsync(async () => await servers.ScalarAsync<long>(Terminated) == 10, Patience),
            $"{await servers.ScalarAsync<long>(Terminated)} of 10 wallets terminated");
        await Task.Delay(TimeSpan.FromSeconds(3));
        foreach (var wallet in wallets)
        {
            var voids = (await First.GetJsonAsync($"/api/v1/wallets/{wallet}/wallet_transactions?transaction_status=voided")).Ok()["wallet_transactions"]!.AsArray();
            Assert.Equal("7.0", (string?)Assert.Single(voids)!["credit_amount"]);
            Assert.Equal(0L, (long)(await Second.GetJsonAsync($"/api/v1/wallets/{wallet}")).Ok()["wallet"]!["balance_cents"]!);
        }
    }

    [Fact]
    public async Task An_idempotency_key_stored_by_one_process_replays_in_the_other()
    {
        await CustomersAsync("idem", 1);
        var wallet = (string)(await First.PostAsync("/api/v1/wallets", new { wallet = new { external_customer_id = "idem0", rate_amount = "1", currency = "EUR" } })).Ok()["wallet"]!["lago_id"]!;
        var body = new { wallet_transaction = new { wallet_id = wallet, granted_credits = "3" } };
        var key = "grant-" + Guid.NewGuid().ToString("N");

        var original = await First.SendJsonAsync(HttpMethod.Post, "/api/v1/wallet_transactions", body, key);
        var replay = await Second.SendJsonAsync(HttpMethod.Post, "/api/v1/wallet_transactions", body, key);
        Assert.Equal(HttpStatusCode.OK, original.Status);
        Assert.Equal(HttpStatusCode.OK, replay.Status);
        Assert.Equal("true", replay.Message.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.True(JsonNode.DeepEquals(original.Json, replay.Json), $"{original.Text} vs {replay.Text}");

        var other = await Second.SendJsonAsync(HttpMethod.Post, "/api/v1/wallet_transactions", new { wallet_transaction = new { wallet_id = wallet, granted_credits = "4" } }, key);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, other.Status);
        Assert.Equal(300L, (long)(await Second.GetJsonAsync($"/api/v1/wallets/{wallet}")).Ok()["wallet"]!["balance_cents"]!);
    }

    [Theory]
    [InlineData(false), InlineData(true)]
    public async Task The_real_server_answers_a_40_MB_body_with_a_413_not_a_reset(bool chunked)
    {
        var body = new byte[40 * 1024 * 1024];
        Array.Fill(body, (byte)' ');
        "{\"customer\":{\"external_id\":\"huge\"}}"u8.CopyTo(body);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/customers") { Content = new StreamContent(new MemoryStream(body)) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        if (chunked) request.Headers.TransferEncodingChunked = true;
        else request.Content.Headers.ContentLength = body.Length;

        using var response = await First.SendAsync(request);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("""{"status":413,"error":"Payload Too Large","message":"the request body is limited to 1048576 bytes"}""", await response.Content.ReadAsStringAsync());
        Assert.Equal(0L, await servers.ScalarAsync<long>("SELECT count(*) FROM customers WHERE external_id = 'huge'"));
        (await First.GetJsonAsync("/api/v1/customers")).Ok();
    }

    [Fact]
    public async Task Each_webhook_is_delivered_once_while_both_processes_dispatch()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var url = receiver.Url("both-processes");
        (await First.PostAsync("/api/v1/webhook_endpoints", new
        {
            webhook_endpoint = new { webhook_url = url, signature_algo = "hmac", event_types = new[] { "customer.created" } },
        })).Ok();

        var customers = await CustomersAsync("hook", 40);
        await receiver.WaitForAsync(url, customers.Count, Patience.TotalSeconds);
        await Task.Delay(TimeSpan.FromSeconds(3)); // more polls of both dispatchers: nothing may come twice

        var received = receiver.At(url);
        Assert.Equal(customers.Count, received.Count);
        Assert.Equal(customers.Count, received.Select(r => r.UniqueKey).Distinct().Count());
        Assert.Equal(customers.Order(), received.Select(r => (string)JsonNode.Parse(r.Body)!["customer"]!["external_id"]!).Order());
        Assert.Equal(0L, await servers.ScalarAsync<long>("SELECT count(*) FROM webhooks WHERE status <> 'succeeded' OR attempts <> 1"));
    }

    [Fact]
    public async Task A_dashboard_session_signed_in_on_one_process_works_on_the_other()
    {
        // Cookies carried by hand: the two processes differ only by port.
        var cookies = new Dictionary<string, string>();
        async Task<HttpResponseMessage> SendAsync(HttpClient server, HttpMethod method, string path, Dictionary<string, string>? form = null)
        {
            using var request = new HttpRequestMessage(method, new Uri(server.BaseAddress!, path));
            if (cookies.Count > 0) request.Headers.Add("Cookie", string.Join("; ", cookies.Select(c => $"{c.Key}={c.Value}")));
            if (form is not null) request.Content = new FormUrlEncodedContent(form);
            using var handler = new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false };
            using var client = new HttpClient(handler);
            var response = await client.SendAsync(request);
            foreach (var set in response.Headers.TryGetValues("Set-Cookie", out var values) ? values : [])
            {
                var pair = set.Split(';')[0].Split('=', 2);
                cookies[pair[0]] = pair[1];
            }
            return response;
        }

        // The sign-in form from the first process, its antiforgery token posted to the second, the session used on the first.
        var form = await (await SendAsync(First, HttpMethod.Get, "/sign-in")).Content.ReadAsStringAsync();
        var token = System.Text.RegularExpressions.Regex.Match(form, "name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"").Groups[1].Value;
        Assert.NotEmpty(token);
        var signIn = await SendAsync(Second, HttpMethod.Post, "/sign-in", new() { ["api_key"] = servers.ApiKey, ["__RequestVerificationToken"] = token });
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        Assert.Equal("/", signIn.Headers.Location!.OriginalString);

        foreach (var server in new[] { First, Second })
        {
            var page = await SendAsync(server, HttpMethod.Get, "/customers");
            Assert.True(page.StatusCode == HttpStatusCode.OK, $"{server.BaseAddress}: {(int)page.StatusCode} to {page.Headers.Location}");
            Assert.Contains("Customers", await page.Content.ReadAsStringAsync());
        }
        Assert.True(await servers.ScalarAsync<long>("SELECT count(*) FROM data_protection_keys") >= 1);
    }
}
