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
    public async Task<Guid> CreateCustomerWithWalletAsync(string externalId, string? grantedCredits)
    {
        (await SendAsync(Post("customers", new { customer = new { external_id = externalId, name = $"Bench {externalId}", currency = "USD" } }))).Dispose();
        using var wallet = await SendAsync(Post("wallets", new
        {
            wallet = new { external_customer_id = externalId, name = "bench", rate_amount = "1", currency = "USD", granted_credits = grantedCredits },
        }));
        return wallet.RootElement.GetProperty("wallet").GetProperty("lago_id").GetGuid();
    }

    /// <summary>A free grant of a given priority; returns the grant's id.</summary>
    public async Task<Guid> GrantAsync(Guid walletId, string credits, int priority)
    {
        using var created = await SendAsync(Post("wallet_transactions", new
        {
            wallet_transaction = new { wallet_id = walletId, granted_credits = credits, priority, name = $"bench p{priority}" },
        }));
        return created.RootElement.GetProperty("wallet_transactions")[0].GetProperty("lago_id").GetGuid();
    }

    public async Task<(long TotalCount, int TotalPages)> ConsumptionsMetaAsync(Guid grantId)
    {
        using var page = await SendAsync(Get($"wallet_transactions/{grantId}/consumptions?per_page=100&page=1"));
        var meta = page.RootElement.GetProperty("meta");
        return (meta.GetProperty("total_count").GetInt64(), meta.GetProperty("total_pages").GetInt32());
    }

    public async Task<long> BalanceCentsAsync(Guid walletId)
    {
        using var wallet = await SendAsync(Get($"wallets/{walletId}"));
        return wallet.RootElement.GetProperty("wallet").GetProperty("balance_cents").GetInt64();
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
}
