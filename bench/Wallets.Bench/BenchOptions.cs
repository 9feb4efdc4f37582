namespace Wallets.Bench;

/// <summary>What one run is told, through environment variables (bench/run.sh sets them; see bench/README.md).</summary>
public sealed record BenchOptions(
    Uri BaseUrl,
    string ApiKey,
    int Seconds,
    int WarmupSeconds,
    int ServerWarmupSeconds,
    int Concurrency,
    int Wallets,
    int ListConcurrency,
    int DeepPage,
    int? ServerPid,
    string Database,
    int QuietPercent,
    int QuietWaitSeconds,
    string? OutFile,
    IReadOnlySet<string> Scenarios,
    int HEventsPerSecond,
    int HReadsPerSecond,
    string? SettleCommand,
    bool ThresholdRules,
    bool WebhookEndpoint,
    string WebhookAlgorithm,
    int Webhooks,
    string? DatabaseConnectionString,
    int HistoryTransactions,
    bool WalletAlerts)
{
    public static BenchOptions FromEnvironment()
    {
        var url = Env("BENCH_URL") ?? "http://127.0.0.1:5180";
        var key = Env("BENCH_API_KEY") ?? throw new InvalidOperationException("BENCH_API_KEY is not set (bench/run.sh creates one).");
        var scenarios = (Env("BENCH_SCENARIOS") ?? "a,b,c,d,e,f,g,h").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        // A misspelt name would otherwise run nothing and say so nowhere (d runs d1–d3, e runs e1 and e2).
        if (scenarios.FirstOrDefault(s => s.Length != 1 || s[0] is < 'a' or > 'o') is { } unknown)
            throw new InvalidOperationException($"BENCH_SCENARIOS: unknown scenario '{unknown}'; the scenarios are a to o (d runs d1–d3, e runs e1 and e2, l runs l1–l6).");
        return new BenchOptions(
            new Uri(url.TrimEnd('/') + "/api/v1/"),
            key,
            Int("BENCH_SECONDS", 15),
            Int("BENCH_WARMUP_SECONDS", 5),
            Int("BENCH_SERVER_WARMUP_SECONDS", 30),
            Int("BENCH_CONCURRENCY", 32),
            Int("BENCH_WALLETS", 1000),
            Int("BENCH_LIST_CONCURRENCY", 4),
            Int("BENCH_DEEP_PAGE", 50),
            int.TryParse(Env("BENCH_SERVER_PID"), out var pid) ? pid : null,
            Env("BENCH_DATABASE") ?? "wallets_bench",
            Int("BENCH_QUIET_PERCENT", 25),
            Int("BENCH_QUIET_WAIT_SECONDS", 120),
            Env("BENCH_OUT"),
            scenarios.ToHashSet(StringComparer.OrdinalIgnoreCase),
            Math.Max(Int("BENCH_H_EVENTS", 3000), 1),
            Math.Max(Int("BENCH_H_READS", 500), 1),
            Env("BENCH_SETTLE") is { } settle && settle != "0" ? settle : null,
            Env("BENCH_THRESHOLD_RULES") == "1",
            Env("BENCH_WEBHOOK_ENDPOINT") == "1",
            Env("BENCH_WEBHOOK_ALGO") is "hmac" ? "hmac" : "jwt",
            Math.Max(Int("BENCH_WEBHOOKS", 20_000), 1),
            Env("BENCH_SETTLE_DB"),
            Math.Max(Int("BENCH_HISTORY", 10_000), 1),
            Env("BENCH_WALLET_ALERTS") == "1");
    }

    private static string? Env(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : null;

    private static int Int(string name, int fallback) =>
        int.TryParse(Env(name), out var value) && value >= 0 ? value : fallback;
}
