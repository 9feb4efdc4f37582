using System.Diagnostics;
using Wallets.Bench;

// End-to-end benchmark of a running Wallets API (bench/run.sh starts the server and the database around it).
var options = BenchOptions.FromEnvironment();
using var http = WalletsApi.CreateClient(options);
var api = new WalletsApi(http);
var runner = new LoadRunner(http);
// Balance reads beside another load come from a client of their own, as they would in use (a dashboard, a pricing check,
// not the service sending events). On one shared client a read waits for one of its connections, and under an open loop
// of events all of them can be held by events the server is still storing: the read's latency was then the events'
// (bench/README.md, "Reads queued behind events in the load generator").
using var readHttp = WalletsApi.CreateClient(options);
var readRunner = new LoadRunner(readHttp);
var stats = new ProcessStats(options.ServerPid, options.Database);
var report = new Report(options);
var warmup = TimeSpan.FromSeconds(options.WarmupSeconds);
var duration = TimeSpan.FromSeconds(options.Seconds);
var c = options.Concurrency;
bool Runs(string scenario) => options.Scenarios.Contains(scenario);

Console.Error.WriteLine($"bench: {options.BaseUrl} — {options.Seconds} s per scenario after {options.WarmupSeconds} s warm-up, {c} workers");

// --- seed: N customers with one wallet each, and one hot wallet holding ~20 grants of different priorities ---
var seedWatch = Stopwatch.StartNew();
var run = DateTime.UtcNow.ToString("yyyyMMddHHmmss");
var wallets = new Guid[options.Wallets];
await Parallel.ForEachAsync(Enumerable.Range(0, options.Wallets), new ParallelOptions { MaxDegreeOfParallelism = c },
    async (i, _) => wallets[i] = await api.CreateCustomerWithWalletAsync($"bench-{run}-{i:D5}", "1000000", options.ThresholdRules, options.WalletAlerts));
if (options.ThresholdRules) report.Note($"Each of the {options.Wallets} wallets has a threshold top-up rule (never reached): the top-up job checks every wallet whose usage changed, every 10 s.");

var hotWallet = await api.CreateCustomerWithWalletAsync($"bench-{run}-hot", null, alerts: options.WalletAlerts);
if (options.WalletAlerts) report.Note($"Each of the {options.Wallets} wallets and the hot wallet has three alerts (never reached): two on the balance, checked against the wallet's alert band by every balance change, and one on the ongoing balance, checked by the ongoing-balance job.");
// Priorities in a shuffled creation order, so the consumption order (priority, then age) differs from insertion order.
var priorities = Enumerable.Range(1, 20).ToArray();
new Random(20).Shuffle(priorities);
var grants = new Dictionary<int, Guid>();
foreach (var priority in priorities) grants[priority] = await api.GrantAsync(hotWallet, "100000", priority);
var firstGrant = grants[1]; // the one every void takes from first
Console.Error.WriteLine($"bench: seeded {options.Wallets} wallets and a hot wallet with {grants.Count} grants in {seedWatch.Elapsed.TotalSeconds:0.0} s");

Guid RandomWallet(Random rng) => wallets[rng.Next(wallets.Length)];

// Webhooks: a receiver in this process; with BENCH_WEBHOOK_ENDPOINT=1 one endpoint takes every type during every scenario.
await using var sink = options.WebhookEndpoint || Runs("k") ? await WebhookSink.StartAsync() : null;
if (options.WebhookEndpoint)
{
    await api.CreateWebhookEndpointAsync($"{sink!.Url}/all", options.WebhookAlgorithm, null);
    report.Note($"One webhook endpoint ({options.WebhookAlgorithm}) subscribed to every type, on a receiver in the load generator, during every scenario.");
}

// The machine may be shared (other builds, other tests): start each scenario when it is quiet, or say it was not.
async Task WaitForQuietAsync()
{
    var waited = Stopwatch.StartNew();
    double busy;
    while ((busy = await ProcessStats.BusyAsync(TimeSpan.FromSeconds(1))) > options.QuietPercent && waited.Elapsed.TotalSeconds < options.QuietWaitSeconds)
        Console.Error.WriteLine($"bench: the machine is busy ({busy:0}% of one core used by others); waiting…");
}

// Each scenario starts from a settled database (bench/settle.sh: VACUUM (ANALYZE) and CHECKPOINT, as pgbench vacuums
// before each run), so it does not pay for the previous one's autovacuum and checkpoint. BENCH_SETTLE=0 turns it off.
var settledHow = new SortedSet<string>();
async Task SettleAsync()
{
    if (options.SettleCommand is not { } command) return;
    var watch = Stopwatch.StartNew();
    using var settle = Process.Start(new ProcessStartInfo(command) { RedirectStandardOutput = true })!;
    var line = (await settle.StandardOutput.ReadToEndAsync()).Trim();
    await settle.WaitForExitAsync();
    if (settle.ExitCode != 0) throw new InvalidOperationException($"{command} failed: {line}");
    Console.Error.WriteLine($"bench: settled the database in {watch.Elapsed.TotalSeconds:0.0} s ({line})");
    if (settledHow.Add(line)) report.Note($"Before each scenario the database was settled: {line}.");
}

// Loads run together over one measured window (CPU shares are of all of them; CPU per request divides by all their
// requests), on a quiet machine, with a speed probe just before and just after.
async Task<LoadResult[]> MeasureTogether(string label, params Func<Task<LoadResult>>[] loads)
{
    await SettleAsync();
    await WaitForQuietAsync();
    var probeBefore = SpeedProbe.Milliseconds();
    Console.Error.WriteLine($"bench: {label}…");
    var running = loads.Select(start => start()).ToArray();
    await Task.Delay(warmup);
    var before = stats.Sample();
    var results = await Task.WhenAll(running);
    var share = ProcessStats.Between(before, stats.Sample());
    var probe = (probeBefore, SpeedProbe.Milliseconds());
    var all = results.Sum(r => r.RequestsPerSecond);
    foreach (var result in results) report.Add(result, share, stats.ServerMemory(), probe, all);
    return results;
}

async Task<LoadResult> Measure(string name, int workers, Func<Random, HttpRequestMessage> next) =>
    (await MeasureTogether($"{name} ({workers} workers)", () => runner.RunAsync(name, workers, warmup, duration, next)))[0];

// Warm the server up on every kind of request first (JIT tiering takes a while on two busy cores), unmeasured.
if (options.ServerWarmupSeconds > 0)
{
    Console.Error.WriteLine($"bench: warming the server up for {options.ServerWarmupSeconds} s (grants, voids, reads, listings, holds)…");
    var kinds = new Func<Random, HttpRequestMessage>[]
    {
        rng => WalletsApi.Grant(RandomWallet(rng), "1"),
        rng => WalletsApi.Void(RandomWallet(rng), "0.01"),
        _ => WalletsApi.Void(hotWallet, "0.01"),
        rng => WalletsApi.Get($"wallets/{RandomWallet(rng)}"),
        _ => WalletsApi.Get($"wallet_transactions/{firstGrant}/consumptions?per_page=100&page=1"),
        // Holds that expire seconds after the warm-up (the expiry job frees them before the first scenario).
        rng => WalletsApi.Post($"wallets/{RandomWallet(rng)}/holds", new
        {
            hold = new { credits = "0.01", external_id = Guid.NewGuid().ToString("N"), expires_at = DateTime.UtcNow.AddSeconds(5).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'") },
        }),
    };
    var warm = await runner.RunAsync("warm-up", c, TimeSpan.Zero, TimeSpan.FromSeconds(options.ServerWarmupSeconds), rng => kinds[rng.Next(kinds.Length)](rng));
    Console.Error.WriteLine($"bench:   {warm.RequestsPerSecond:0} req/s, {warm.Errors} errors, {warm.Non2xx} non-2xx{(warm.FailureSample is { } f ? $" (e.g. {f})" : "")}");
}

if (Runs("a"))
    await Measure("a. grants, many wallets", c, rng => WalletsApi.Grant(RandomWallet(rng), "1"));

if (Runs("b"))
    await Measure("b. voids, many wallets", c, rng => WalletsApi.Void(RandomWallet(rng), "0.01"));

if (Runs("c"))
    await Measure("c. voids, one hot wallet", c, _ => WalletsApi.Void(hotWallet, "0.01"));

if (Runs("d"))
{
    await Measure("d1. balance reads", c, rng => WalletsApi.Get($"wallets/{RandomWallet(rng)}"));

    // The same reads while voids run on the same wallets: half the workers read, half write.
    await MeasureTogether($"d2. balance reads under void load ({c / 2} + {c / 2} workers)",
        () => readRunner.RunAsync("d2. balance reads, under b-load", Math.Max(c / 2, 1), warmup, duration, rng => WalletsApi.Get($"wallets/{RandomWallet(rng)}")),
        () => runner.RunAsync("d2. (the concurrent voids)", Math.Max(c / 2, 1), warmup, duration, rng => WalletsApi.Void(RandomWallet(rng), "0.01")));

    // Service time rather than queueing: the same reads with a few workers (Little's law caps a closed loop of 32 at 32/throughput).
    await Measure("d3. balance reads, light load", options.ListConcurrency, rng => WalletsApi.Get($"wallets/{RandomWallet(rng)}"));
}

if (Runs("e"))
{
    var (total, pages) = await api.ConsumptionsMetaAsync(firstGrant);
    var deep = Math.Clamp(options.DeepPage, 1, Math.Max(pages, 1));
    report.Note($"Scenario e lists the consumptions of the hot wallet's first grant ({firstGrant}): {total} rows, {pages} pages of 100.");
    var l = options.ListConcurrency;
    await Measure("e1. consumptions page 1", l, _ => WalletsApi.Get($"wallet_transactions/{firstGrant}/consumptions?per_page=100&page=1"));
    await Measure($"e2. consumptions page {deep}", l, _ => WalletsApi.Get($"wallet_transactions/{firstGrant}/consumptions?per_page=100&page={deep}"));
}

// --- usage events (scenarios f–j): every seeded customer subscribes to one plan charging `calls` and `gb` ---
if (Runs("f") || Runs("g") || Runs("h") || Runs("i") || Runs("j"))
{
    var planCode = $"usage-{run}";
    await api.CreateUsagePlanAsync(planCode);
    await Parallel.ForEachAsync(Enumerable.Range(0, options.Wallets), new ParallelOptions { MaxDegreeOfParallelism = c },
        async (i, _) => await api.SubscribeAsync($"bench-{run}-{i:D5}", $"sub-{run}-{i:D5}", planCode));
    string RandomSubscription(Random rng) => $"sub-{run}-{rng.Next(options.Wallets):D5}";
    report.Note($"Scenarios f–j: {options.Wallets} subscriptions, events `calls` (count_agg) or `gb` (sum_agg) at random; g sends 100 events per request.");

    if (Runs("f")) await Measure("f. single events", c, rng => WalletsApi.Event(RandomSubscription(rng), rng));
    if (Runs("g"))
        await Measure("g. event batches (100)", Math.Max(c / 4, 1), rng => WalletsApi.UsageBatch(100, RandomSubscription, rng));
    if (Runs("h"))
    {
        // The goal's load: single events at a steady BENCH_H_EVENTS per second (default 3,000, the ingest goal) and balance
        // reads of the subscribed customers' wallets (each read prices usage) at BENCH_H_READS per second (default 500),
        // both on a schedule (open loop), so the reads' latency is what a client sees at that load.
        var (eventRate, readRate) = (options.HEventsPerSecond, options.HReadsPerSecond);
        await MeasureTogether($"h. balance reads at {readRate}/s while events stream in at {eventRate}/s",
            () => readRunner.RunAtRateAsync("h. balance reads, under events", readRate, warmup, duration, rng => WalletsApi.Get($"wallets/{RandomWallet(rng)}")),
            () => runner.RunAtRateAsync($"h. (the events, {eventRate}/s)", eventRate, warmup, duration, rng => WalletsApi.Event(RandomSubscription(rng), rng)));
    }
    if (Runs("j"))
    {
        // Saturation rather than the goal's load: readers (BENCH_READERS, default 4) beside half the workers sending events,
        // all in closed loops, as fast as the machine answers. Latency here is mostly queueing for the two cores.
        var readers = int.TryParse(Environment.GetEnvironmentVariable("BENCH_READERS"), out var r) && r > 0 ? r : 4;
        await MeasureTogether($"j. balance reads beside events at full speed ({readers} + {c / 2} workers)",
            () => readRunner.RunAsync("j. balance reads, beside events at full speed", readers, warmup, duration, rng => WalletsApi.Get($"wallets/{RandomWallet(rng)}")),
            () => runner.RunAsync("j. (the concurrent events)", Math.Max(c / 2, 1), warmup, duration, rng => WalletsApi.Event(RandomSubscription(rng), rng)));
    }
    // The same reads alone (after f–h, the customers have usage to price): the cost of a read by itself.
    if (Runs("i")) await Measure("i. balance reads with usage", 4, rng => WalletsApi.Get($"wallets/{RandomWallet(rng)}"));
}

if (Runs("k"))
{
    await SettleAsync();
    await WaitForQuietAsync();
    var line = await WebhookDispatch.RunAsync(api, sink!, stats, options.DatabaseConnectionString
        ?? throw new InvalidOperationException("scenario k needs BENCH_SETTLE_DB (the database's connection string; bench/run.sh sets it)"),
        $"bench-{run}-00000", options.Webhooks, options.WebhookAlgorithm);
    Console.Error.WriteLine($"bench: {line}");
    report.Note(line);
}

// --- the dashboard (scenario l): a wallet with a long history, each page as a signed-in person opens it ---
if (Runs("l"))
{
    var seeded = Stopwatch.StartNew();
    var (lWallet, lCustomer, lGrant) = await DashboardPages.SeedAsync(api, $"bench-{run}-history", options.HistoryTransactions, c);
    var cookie = await DashboardPages.SignInAsync(options.BaseUrl, options.ApiKey);
    var deep = await DashboardPages.PositionAsync(api, lWallet, Math.Max(options.HistoryTransactions - 30, 1));
    report.Note($"Scenario l: one wallet with {options.HistoryTransactions} transactions (a grant and the voids that consumed it, seeded in "
        + $"{seeded.Elapsed.TotalSeconds:0} s); dashboard pages of 20 rows (histories read in slices after a position, never counted), signed in with a session cookie, {options.ListConcurrency} workers.");
    var l = options.ListConcurrency;
    await Measure("l1. dashboard: wallet page", l, _ => DashboardPages.Get($"/wallets/{lWallet}", cookie));
    await Measure("l2. dashboard: wallet page, its oldest transactions", l, _ => DashboardPages.Get($"/wallets/{lWallet}?after={deep}", cookie));
    await Measure("l3. dashboard: wallet page, outbound filter", l, _ => DashboardPages.Get($"/wallets/{lWallet}?transaction_type=outbound&transaction_status=voided&status=settled", cookie));
    await Measure("l4. dashboard: the grant's Consumptions tab", l, _ => DashboardPages.Get($"/wallet-transactions/{lGrant}", cookie));
    await Measure("l5. dashboard: customer with its Wallets tab", l, _ => DashboardPages.Get($"/customers/{lCustomer}", cookie));
    await Measure("l6. dashboard: customers list", l, _ => DashboardPages.Get("/customers", cookie));
}

// --- balances at any instant (scenario m) ---
if (Runs("m"))
{
    // Balances at past instants deep in one wallet's long history: BENCH_HISTORY_TRANSACTIONS (default 100,000) grants
    // and voids on one wallet (each void takes half of the grant just made, by its id, so no request reads the wallet's
    // open grants, which would grow with the history), then `GET /wallets/{id}?at=` at random instants of it.
    var transactions = int.TryParse(Environment.GetEnvironmentVariable("BENCH_HISTORY_TRANSACTIONS"), out var n) && n > 1 ? n : 100_000;
    var historyWallet = await api.CreateCustomerWithWalletAsync($"bench-{run}-instants", "1000");
    var historyWatch = Stopwatch.StartNew();
    var historyFrom = DateTimeOffset.UtcNow;
    await Parallel.ForEachAsync(Enumerable.Range(0, transactions / 2), new ParallelOptions { MaxDegreeOfParallelism = c }, async (_, _) =>
    {
        var grant = await api.FirstTransactionIdAsync(WalletsApi.Post("wallet_transactions", new { wallet_transaction = new { wallet_id = historyWallet, granted_credits = "0.02" } }));
        await api.SendOkAsync(WalletsApi.Post("wallet_transactions", new { wallet_transaction = new { wallet_id = historyWallet, voided_credits = "0.01", voided_transaction_id = grant } }));
    });
    var historySpan = DateTimeOffset.UtcNow - historyFrom;
    report.Note($"Scenario m reads wallet {historyWallet} at random instants of its {transactions:N0}-transaction history (written in {historyWatch.Elapsed.TotalSeconds:0} s).");
    await Measure($"m. balance at an instant, {transactions:N0}-transaction history", options.ListConcurrency, rng =>
        WalletsApi.Get($"wallets/{historyWallet}?at={Uri.EscapeDataString((historyFrom + historySpan * rng.NextDouble()).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'"))}"));
}

// --- holds (scenarios n and o): a hold, then the capture of part of it, as an LLM call or a render would ---
if (Runs("n") || Runs("o"))
{
    var holdWallet = Runs("n") ? await api.CreateCustomerWithWalletAsync($"bench-{run}-holds", "1000000000") : Guid.Empty;
    report.Note("Scenarios n and o: each operation is a pair, `POST /wallets/{id}/holds` of 1 credit then `POST /holds/{id}/capture` of 0.4; req/s counts pairs, latency is the pair's.");
    HttpRequestMessage Capture(System.Text.Json.JsonElement hold) =>
        WalletsApi.Post($"holds/{hold.GetProperty("hold").GetProperty("lago_id").GetGuid()}/capture", new { hold = new { credits = "0.4" } });
    HttpRequestMessage Hold(Guid wallet) => WalletsApi.Post($"wallets/{wallet}/holds", new { hold = new { credits = "1", external_id = Guid.NewGuid().ToString("N") } });
    if (Runs("n"))
        await MeasureTogether($"n. hold + capture, one hot wallet ({c} workers)", () => runner.RunPairsAsync("n. hold + capture pairs, one hot wallet", c, warmup, duration, _ => Hold(holdWallet), Capture));
    if (Runs("o"))
        await MeasureTogether($"o. hold + capture, {wallets.Length} wallets ({c} workers)", () => runner.RunPairsAsync($"o. hold + capture pairs, {wallets.Length} wallets", c, warmup, duration, rng => Hold(RandomWallet(rng)), Capture));
}

var text = report.Render();
Console.WriteLine(text);
if (options.OutFile is { } path) await File.WriteAllTextAsync(path, text);
return report.AnyErrors ? 1 : 0;
