using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Wallets.Api;
using Wallets.Api.Data;
using Wallets.Api.Jobs;
using Wallets.Bench;
using Wallets.Bench.Billing;

// Billing-run benchmark (bench/billing.sh): seed N subscriptions, move the clock past their period's end, and time one
// run of the API's own billing job (BillingJob.RunOnceAsync) against that database. No HTTP and no admin endpoint:
// this process hosts the API's services itself, exactly as configured in production, with a fixed clock.
var connectionString = Environment.GetEnvironmentVariable("BENCH_DB") ?? throw new InvalidOperationException("BENCH_DB is not set (bench/billing.sh sets it).");
var subscriptions = int.TryParse(Environment.GetEnvironmentVariable("BENCH_SUBSCRIPTIONS"), out var n) && n > 0 ? n : 10_000;
var workers = int.TryParse(Environment.GetEnvironmentVariable("BENCH_BILLING_WORKERS"), out var w) && w > 0 ? w : 4;
var batchSize = int.TryParse(Environment.GetEnvironmentVariable("BENCH_BILLING_BATCH"), out var b) && b > 0 ? b : 25;
var periodStart = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
var billedAt = periodStart.AddMonths(1).AddHours(1);

await SchemaMigrator.MigrateAsync(connectionString);
var seedWatch = Stopwatch.StartNew();
await BillingSeed.RunAsync(connectionString, subscriptions, periodStart);
Console.Error.WriteLine($"bench: seeded {subscriptions} subscriptions in {seedWatch.Elapsed.TotalSeconds:0.0} s");

var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [], EnvironmentName = Environments.Production });
builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
{
    ["ConnectionStrings:Wallets"] = connectionString,
    ["Jobs:Enabled"] = "false",
    ["Jobs:BillingWorkers"] = workers.ToString(),
    ["Jobs:BillingBatchSize"] = batchSize.ToString(),
    ["Logging:LogLevel:Default"] = "Warning",
});
builder.AddWalletsServices();
builder.Services.AddSingleton<TimeProvider>(new FixedClock(billedAt));
await using var app = builder.Build();
var job = app.Services.GetRequiredService<BillingJob>();

// The machine may be shared (other builds, other benchmarks): start when it is quiet, or say it was not.
var quietPercent = int.TryParse(Environment.GetEnvironmentVariable("BENCH_QUIET_PERCENT"), out var q) ? q : 25;
var waited = Stopwatch.StartNew();
double busy;
while ((busy = await ProcessStats.BusyAsync(TimeSpan.FromSeconds(1))) > quietPercent && waited.Elapsed.TotalSeconds < 120)
    Console.Error.WriteLine($"bench: the machine is busy ({busy:0}% of one core); waiting…");

var stats = new ProcessStats(null, new NpgsqlConnectionStringBuilder(connectionString).Database!);
var before = stats.Sample();
var watch = Stopwatch.StartNew();
var invoices = await job.RunOnceAsync(CancellationToken.None);
watch.Stop();
var cpu = ProcessStats.Between(before, stats.Sample());

await using var connection = new NpgsqlConnection(connectionString);
await connection.OpenAsync();
async Task<long> Scalar(string sql)
{
    await using var command = new NpgsqlCommand(sql, connection);
    return Convert.ToInt64(await command.ExecuteScalarAsync());
}

var checks = new (string Name, long Value, long Expected)[]
{
    ("subscription invoices", await Scalar("SELECT count(*) FROM invoices WHERE invoice_type = 'subscription'"), subscriptions),
    ("subscriptions billed twice", await Scalar("SELECT count(*) FROM (SELECT subscription_id FROM invoice_subscriptions GROUP BY 1 HAVING count(*) > 1) d"), 0),
    ("wallet balances that differ from their grants", await Scalar("""
        SELECT count(*) FROM wallets w WHERE w.balance_cents <> (SELECT COALESCE(sum(remaining_amount_cents), 0)
        FROM wallet_transactions t WHERE t.wallet_id = w.id AND t.transaction_type = 'inbound' AND t.status = 'settled')
        """), 0),
    ("invoices whose prepaid credits differ from their debits", await Scalar("""
        SELECT count(*) FROM invoices i WHERE i.prepaid_credit_amount_cents <> (SELECT COALESCE(sum(amount_cents), 0)
        FROM wallet_transactions t WHERE t.invoice_id = i.id AND t.transaction_status = 'invoiced')
        """), 0),
};
var debits = await Scalar("SELECT count(*) FROM wallet_transactions WHERE transaction_status = 'invoiced'");
var prepaid = await Scalar("SELECT COALESCE(sum(prepaid_credit_amount_cents), 0) FROM invoices");

Console.WriteLine($"""
    Billing run: {subscriptions} subscriptions, {workers} workers, batches of {batchSize}, {Environment.ProcessorCount} cores
    | measure | value |
    |---|---|
    | wall time of BillingJob.RunOnceAsync | {watch.Elapsed.TotalSeconds:0.00} s |
    | invoices made | {invoices} ({invoices / watch.Elapsed.TotalSeconds:0} per second) |
    | prepaid debits written | {debits} ({prepaid / 100m:0.00} EUR of credits applied) |
    | CPU, % of one core (2 cores = 200 %) | billing process {cpu.Bench:0}, PostgreSQL for it {cpu.Postgres:0}, others {cpu.Others:0} |
    """);
var ok = true;
foreach (var (name, value, expected) in checks)
{
    Console.WriteLine($"- {name}: {value} (expected {expected}) — {(value == expected ? "OK" : "FAIL")}");
    ok &= value == expected;
}
return ok ? 0 : 1;

/// <summary>The clock the billing job reads: fixed just after the seeded period ended.</summary>
internal sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
