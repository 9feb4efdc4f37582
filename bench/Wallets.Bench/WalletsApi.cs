using System.Buffers;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Wallets.Bench;

/// <summary>The few API calls the benchmark makes, as a Lago client would make them.</summary>
public sealed class WalletsApi(HttpClient http)
{
    private static readonly JsonSerializerOptions Json = new() { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };

    public static HttpClient CreateClient(BenchOptions options) => new(new SocketsHttpHandler
    {
        // One connection per worker, kept open: the benchmark measures the service, not TCP handshakes.
        MaxConnectionsPerServer = Math.Max(options.Concurrency, options.ListConcurrency) * 2,
        PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
        UseProxy = false,
        AutomaticDecompression = System.Net.DecompressionMethods.None,
    })
    {
        BaseAddress = options.BaseUrl,
        Timeout = TimeSpan.FromSeconds(30),
        DefaultRequestHeaders = { Authorization = new AuthenticationHeaderValue("Bearer", options.ApiKey) },
    };

    public static HttpRequestMessage Post(string path, object body) => new(HttpMethod.Post, path)
    {
        Content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(body, Json)) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } },
    };

    public static HttpRequestMessage Get(string path) => new(HttpMethod.Get, path);

    public static HttpRequestMessage Grant(Guid walletId, string credits) =>
        Post("wallet_transactions", new { wallet_transaction = new { wallet_id = walletId, granted_credits = credits } });

    public static HttpRequestMessage Void(Guid walletId, string credits) =>
        Post("wallet_transactions", new { wallet_transaction = new { wallet_id = walletId, voided_credits = credits } });

    /// <summary>A customer with one USD wallet (1 credit = 1 USD) holding <paramref name="grantedCredits"/>; returns the wallet id.</summary>
    /// <param name="thresholdRule">Give the wallet a threshold top-up rule (10 credits, far below its balance): the top-up job then checks it each round its usage changed.</param>
    public async Task<Guid> CreateCustomerWithWalletAsync(string externalId, string? grantedCredits, bool thresholdRule = false, bool alerts = false)
    {
        (await SendAsync(Post("customers", new { customer = new { external_id = externalId, name = $"Bench {externalId}", currency = "USD" } }))).Dispose();
        object[] rules = thresholdRule ? [new { trigger = "threshold", threshold_credits = "10", granted_credits = "100" }] : [];
        using var wallet = await SendAsync(Post("wallets", new
        {
            wallet = new
            {
                external_customer_id = externalId, name = "bench", code = "bench", rate_amount = "1", currency = "USD", granted_credits = grantedCredits,
                recurring_transaction_rules = rules,
            },
        }));
        if (alerts) await AddAlertsAsync(externalId);
        return wallet.RootElement.GetProperty("wallet").GetProperty("lago_id").GetGuid();
    }

    /// <summary>Three alerts on the customer's `bench` wallet, never reached: two balance alerts and an ongoing one.</summary>
    public async Task AddAlertsAsync(string externalId) =>
        (await SendAsync(Post($"customers/{externalId}/wallets/bench/alerts", new
        {
            alerts = new object[]
            {
                new { alert_type = "wallet_balance_amount", code = "cents", thresholds = new[] { new { value = 1000 } } },
                new { alert_type = "wallet_credits_balance", code = "credits", thresholds = new[] { new { value = "10" } } },
                new { alert_type = "wallet_ongoing_balance_amount", code = "ongoing", thresholds = new[] { new { value = 1000 } } },
            },
        }))).Dispose();

    /// <summary>A free grant of a given priority; returns the grant's id.</summary>
    public async Task<Guid> GrantAsync(Guid walletId, string credits, int priority)
    {
        using var created = await SendAsync(Post("wallet_transactions", new
        {
            wallet_transaction = new { wallet_id = walletId, granted_credits = credits, priority, name = $"bench p{priority}" },
        }));
        return created.RootElement.GetProperty("wallet_transactions")[0].GetProperty("lago_id").GetGuid();
    }

    /// <summary>`POST /events` with one <see cref="WriteUsageEvent"/>.</summary>
    public static HttpRequestMessage Event(string subscription, Random rng) => PostJson("events", json =>
    {
        json.WritePropertyName("event");
        WriteUsageEvent(json, subscription, rng);
    });

    /// <summary>`POST /events/batch` with <paramref name="count"/> events on random subscriptions.</summary>
    public static HttpRequestMessage UsageBatch(int count, Func<Random, string> subscription, Random rng) => PostJson("events/batch", json =>
    {
        json.WriteStartArray("events");
        for (var i = 0; i < count; i++) WriteUsageEvent(json, subscription(rng), rng);
        json.WriteEndArray();
    });

    /// <summary>One usage event on a subscription: `calls` (count_agg) or `gb` (sum_agg of properties.gb).</summary>
    private static void WriteUsageEvent(Utf8JsonWriter json, string subscription, Random rng)
    {
        json.WriteStartObject();
        json.WriteString("transaction_id", Guid.NewGuid().ToString("N"));
        json.WriteString("external_subscription_id", subscription);
        if (rng.Next(2) == 0) json.WriteString("code", "calls");
        else
        {
            json.WriteString("code", "gb");
            json.WriteStartObject("properties");
            json.WriteNumber("gb", rng.Next(1, 100));
            json.WriteEndObject();
        }
        json.WriteEndObject();
    }

    /// <summary>
    /// A POST whose JSON object is written straight to bytes: the load generator shares the two cores with the service,
    /// so the hot scenarios should not spend them on reflection over anonymous objects.
    /// </summary>
    private static HttpRequestMessage PostJson(string path, Action<Utf8JsonWriter> writeMembers)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            writeMembers(json);
            json.WriteEndObject();
        }
        return new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new ByteArrayContent(buffer.WrittenSpan.ToArray()) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } },
        };
    }

    /// <summary>The usage catalog of the event scenarios: metrics `calls` and `gb`, a USD plan charging both (standard prices).</summary>
    public async Task CreateUsagePlanAsync(string planCode)
    {
        var calls = await CreateMetricAsync("calls", "count_agg", null);
        var gb = await CreateMetricAsync("gb", "sum_agg", "gb");
        (await SendAsync(Post("plans", new
        {
            plan = new
            {
                name = "Bench usage", code = planCode, interval = "monthly", amount_cents = 0, amount_currency = "USD", pay_in_advance = false,
                charges = new object[]
                {
                    new { billable_metric_id = calls, charge_model = "standard", properties = new { amount = "0.001" } },
                    new { billable_metric_id = gb, charge_model = "standard", accepts_target_wallet = true, properties = new { amount = "0.0001" } },
                },
            },
        }))).Dispose();
    }

    private async Task<string> CreateMetricAsync(string code, string aggregation, string? field)
    {
        using var metric = await SendAsync(Post("billable_metrics", new { billable_metric = new { name = code, code, aggregation_type = aggregation, field_name = field } }));
        return metric.RootElement.GetProperty("billable_metric").GetProperty("lago_id").GetString()!;
    }

    public async Task SubscribeAsync(string externalCustomerId, string externalId, string planCode) =>
        (await SendAsync(Post("subscriptions", new { subscription = new { external_customer_id = externalCustomerId, external_id = externalId, plan_code = planCode } }))).Dispose();

    public async Task<(long TotalCount, int TotalPages)> ConsumptionsMetaAsync(Guid grantId)
    {
        using var page = await SendAsync(Get($"wallet_transactions/{grantId}/consumptions?per_page=100&page=1"));
        var meta = page.RootElement.GetProperty("meta");
        return (meta.GetProperty("total_count").GetInt64(), meta.GetProperty("total_pages").GetInt32());
    }

    /// <summary>A webhook endpoint for these types (null: every type); returns its lago_id.</summary>
    public async Task<Guid> CreateWebhookEndpointAsync(string url, string algorithm, string[]? eventTypes)
    {
        using var endpoint = await SendAsync(Post("webhook_endpoints", new { webhook_endpoint = new { webhook_url = url, signature_algo = algorithm, event_types = eventTypes } }));
        return endpoint.RootElement.GetProperty("webhook_endpoint").GetProperty("lago_id").GetGuid();
    }

    /// <summary>Updates a customer (its name), which sends `customer.updated`.</summary>
    public async Task RenameCustomerAsync(string externalId, string name) =>
        (await SendAsync(Post("customers", new { customer = new { external_id = externalId, name } }))).Dispose();

    public async Task<long> BalanceCentsAsync(Guid walletId)
    {
        using var wallet = await SendAsync(Get($"wallets/{walletId}"));
        return wallet.RootElement.GetProperty("wallet").GetProperty("balance_cents").GetInt64();
    }

    /// <summary>One request whose answer only needs to be a success.</summary>
    public async Task SendOkAsync(HttpRequestMessage request) => (await SendAsync(request)).Dispose();

    /// <summary>Sends, expects a 2xx, and answers the `lago_id` of the first wallet transaction it made.</summary>
    public async Task<string> FirstTransactionIdAsync(HttpRequestMessage request)
    {
        using var answer = await SendAsync(request);
        return answer.RootElement.GetProperty("wallet_transactions")[0].GetProperty("lago_id").GetString()!;
    }

    private async Task<JsonDocument> SendAsync(HttpRequestMessage request)
    {
        using (request)
        {
            using var response = await http.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            if (!response.IsSuccessStatusCode)
                throw new InvalidOperationException($"{request.Method} {request.RequestUri} answered {(int)response.StatusCode}: {body}");
            return JsonDocument.Parse(body);
        }
    }

    /// <summary>Sends every request, a few at a time; any failure stops the seed.</summary>
    public async Task SendAllAsync(IEnumerable<Func<HttpRequestMessage>> requests, int workers) =>
        await Parallel.ForEachAsync(requests, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(workers, 1) }, async (request, _) => (await SendAsync(request())).Dispose());

    public async Task<Guid> CustomerIdOfWalletAsync(Guid walletId)
    {
        using var wallet = await SendAsync(Get($"wallets/{walletId}"));
        return wallet.RootElement.GetProperty("wallet").GetProperty("lago_customer_id").GetGuid();
    }

    /// <summary>The creation time and id of a wallet's n-th newest transaction.</summary>
    public async Task<(DateTimeOffset CreatedAt, Guid Id)> TransactionAtAsync(Guid walletId, int n)
    {
        using var page = await SendAsync(Get($"wallets/{walletId}/wallet_transactions?per_page=1&page={n}"));
        var row = page.RootElement.GetProperty("wallet_transactions")[0];
        return (row.GetProperty("created_at").GetDateTimeOffset(), row.GetProperty("lago_id").GetGuid());
    }
}
