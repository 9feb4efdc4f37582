using System.Globalization;
using System.Text.Json.Nodes;
using Npgsql;
using Wallets.Api.Tests.Infrastructure;
using Wallets.Api.Tests.Invoicing;

namespace Wallets.Api.Tests.Wallets;

/// <summary>`GET /wallets/{id}?at=` and `/balance_history` against a replay of the ledger, on a clock moved by hand.</summary>
public sealed class BalanceHistoryTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Balances_at_every_instant_of_a_random_ledger_agree_with_replaying_it(int seed)
    {
        var random = new Random(seed);
        var client = await api.NewOrganizationClientAsync();
        var customer = $"replay-{seed}";
        var wallet = await client.CustomerWithWalletAsync(customer, ("granted_credits", "20"));
        await client.PlanAsync($"plan-{seed}", 1_500, []);
        await client.SubscribeAsync(customer, $"plan-{seed}", api.ThisMonth());
        var pending = new List<string>();
        var billAt = random.Next(5, 25);
        for (var step = 0; step < 30; step++)
        {
            api.Clock.Advance(TimeSpan.FromMinutes(1));
            var balance = await api.BalanceCentsAsync(wallet);
            if (step == billAt)
            {
                // An invoice debit: the subscription's first invoice takes what the wallet holds.
                if (balance == 0) await client.GrantAsync(wallet, "20");
                await api.BillAsync(api.ThisMonth().AddMonths(1).AddHours(1));
            }
            else switch (random.Next(5))
            {
                case 0: await client.GrantAsync(wallet, random.Next(1, 40).ToString(CultureInfo.InvariantCulture)); break;
                case 1 when balance > 0: await client.VoidAsync(wallet, Credits(random.NextInt64(1, balance + 1))); break;
                case 2: pending.Add((await client.PurchaseAsync(wallet, random.Next(1, 40).ToString(CultureInfo.InvariantCulture))).Invoice); break;
                case 3 or 4 when pending.Count > 0:
                    var invoice = pending[random.Next(pending.Count)];
                    pending.Remove(invoice);
                    var status = random.Next(3) == 0 ? "failed" : "succeeded";
                    (await client.PutAsync($"/api/v1/invoices/{invoice}", new { invoice = new { payment_status = status } })).Ok();
                    break;
            }
        }
        api.Clock.Advance(TimeSpan.FromMinutes(1));
        (await client.DeleteJsonAsync($"/api/v1/wallets/{wallet}")).Ok();
        api.Clock.Advance(TimeSpan.FromMinutes(1));

        var ledger = await LedgerAsync(wallet);
        var (created, terminated) = await LifeAsync(wallet);
        Assert.Contains(ledger, m => m.Kind == "invoiced");
        foreach (var instant in ledger.Select(m => m.At).Append(terminated).Distinct())
        foreach (var at in new[] { instant, instant.AddMilliseconds(-1), instant.AddMilliseconds(1) }.Where(t => t >= created))
        {
            var shown = (await client.GetJsonAsync($"/api/v1/wallets/{wallet}?at={Iso(at)}")).Ok()["wallet"]!;
            var (balance, consumed) = Replay(ledger, at);
            Assert.True(balance == (long)shown["balance_cents"]!, $"balance at {at:O}: replay {balance}, answer {shown}");
            Assert.Equal(Credits(balance), (string)shown["credits_balance"]!);
            Assert.Equal(Credits(consumed), (string)shown["consumed_credits"]!);
            Assert.Equal(balance, (long)shown["ongoing_balance_cents"]!);
            Assert.Equal(at >= terminated ? "terminated" : "active", (string)shown["status"]!);
        }

        var from = created.AddSeconds(30);
        var points = (await client.GetJsonAsync($"/api/v1/wallets/{wallet}/balance_history?from={Iso(from)}&to={Iso(api.Clock.GetUtcNow())}&granularity=hour"))
            .Ok()["balance_history"]!.AsArray();
        Assert.True(points.Count > 24, $"{points.Count} points");
        for (var i = 0; i < points.Count; i++)
        {
            var at = from.AddHours(i);
            Assert.Equal(at.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture), (string)points[i]!["at"]!);
            Assert.Equal(Replay(ledger, at).Balance, (long)points[i]!["balance_cents"]!);
            Assert.Equal(Credits(Replay(ledger, at).Balance), (string)points[i]!["credits_balance"]!);
        }
        await LedgerInvariants.AssertAsync(api);
    }

    [Fact]
    public async Task A_purchase_counts_from_when_it_settled_not_from_when_it_was_created()
    {
        var client = await api.NewOrganizationClientAsync();
        var wallet = await client.CustomerWithWalletAsync("settles-later");
        var created = api.Clock.GetUtcNow();
        var (_, invoice) = await client.PurchaseAsync(wallet, "25");
        api.Clock.Advance(TimeSpan.FromHours(3));
        (await client.PutAsync($"/api/v1/invoices/{invoice}", new { invoice = new { payment_status = "succeeded" } })).Ok();
        var settled = api.Clock.GetUtcNow();
        api.Clock.Advance(TimeSpan.FromHours(1));

        Assert.Equal(0, await BalanceAtAsync(client, wallet, created.AddHours(2)));
        Assert.Equal(2_500, await BalanceAtAsync(client, wallet, settled.AddSeconds(1)));
        var points = (await client.GetJsonAsync($"/api/v1/wallets/{wallet}/balance_history?from={Iso(created.AddMinutes(1))}&to={Iso(settled.AddMinutes(30))}&granularity=hour"))
            .Ok()["balance_history"]!.AsArray();
        Assert.Equal([0L, 0L, 0L, 2_500L], points.Select(p => (long)p!["balance_cents"]!));
        Assert.Equal("25.0", (string)points[3]!["credits_balance"]!);
    }

    [Fact]
    public async Task Before_the_wallet_existed_or_in_another_organization_the_wallet_is_not_found()
    {
        var client = await api.NewOrganizationClientAsync();
        var wallet = await client.CustomerWithWalletAsync("young", ("granted_credits", "5"));
        var (created, _) = await LifeAsync(wallet);
        api.Clock.Advance(TimeSpan.FromMinutes(1));

        AssertNotFound(await client.GetJsonAsync($"/api/v1/wallets/{wallet}?at={Iso(created.AddMilliseconds(-1))}"));
        Assert.Equal(500, await BalanceAtAsync(client, wallet, created.AddSeconds(1)));
        var other = await api.NewOrganizationClientAsync("other");
        AssertNotFound(await other.GetJsonAsync($"/api/v1/wallets/{wallet}?at={Iso(created.AddSeconds(1))}"));
        AssertNotFound(await other.GetJsonAsync($"/api/v1/wallets/{wallet}/balance_history?from={Iso(created)}&to={Iso(created.AddDays(1))}"));
        AssertNotFound(await client.GetJsonAsync($"/api/v1/wallets/{Guid.NewGuid()}?at={Iso(created)}"));
        AssertNotFound(await client.GetJsonAsync($"/api/v1/wallets/not-a-uuid/balance_history?from={Iso(created)}&to={Iso(created)}"));
        // Points before the wallet existed, or still to come, are left out.
        var points = (await client.GetJsonAsync($"/api/v1/wallets/{wallet}/balance_history?from={Iso(created.AddDays(-2).AddHours(1))}&to={Iso(created.AddDays(5))}"))
            .Ok()["balance_history"]!.AsArray();
        Assert.Empty(points);
    }

    [Fact]
    public async Task Malformed_or_future_instants_and_bad_ranges_are_422_and_without_at_nothing_changes()
    {
        var client = await api.NewOrganizationClientAsync();
        var wallet = await client.CustomerWithWalletAsync("bad-input", ("granted_credits", "5"));
        var now = api.Clock.GetUtcNow();
        var history = $"/api/v1/wallets/{wallet}/balance_history";

        (await client.GetJsonAsync($"/api/v1/wallets/{wallet}?at=yesterday")).ExpectValidation("at", "invalid_date");
        (await client.GetJsonAsync($"/api/v1/wallets/{wallet}?at=")).ExpectValidation("at", "invalid_date");
        (await client.GetJsonAsync($"/api/v1/wallets/{wallet}?at={Iso(now.AddHours(1))}")).ExpectValidation("at", "date_in_future");
        (await client.GetJsonAsync($"{history}?to={Iso(now)}")).ExpectValidation("from", "value_is_mandatory");
        (await client.GetJsonAsync($"{history}?from=2026-13-01&to={Iso(now)}")).ExpectValidation("from", "invalid_date");
        (await client.GetJsonAsync($"{history}?from={Iso(now)}&to={Iso(now.AddHours(-1))}")).ExpectValidation("to", "invalid_date_range");
        (await client.GetJsonAsync($"{history}?from={Iso(now.AddDays(-1))}&to={Iso(now)}&granularity=week")).ExpectValidation("granularity", "value_is_invalid");
        (await client.GetJsonAsync($"{history}?from={Iso(now.AddHours(-1000))}&to={Iso(now)}&granularity=hour")).ExpectValidation("to", "too_many_points");
        (await client.GetJsonAsync($"{history}?from={Iso(now.AddHours(-999))}&to={Iso(now)}&granularity=hour")).Ok();

        var today = (await client.GetJsonAsync($"/api/v1/wallets/{wallet}")).Ok()["wallet"]!;
        Assert.Equal(500, (long)today["balance_cents"]!);
        Assert.Equal("active", (string)today["status"]!);
    }

    private sealed record Move(DateTimeOffset At, string Kind, long Balance, long Consumed);

    /// <summary>The wallet's ledger from its rows: a settled inbound adds from its settlement, an outbound takes (and consumes) from its creation.</summary>
    private async Task<List<Move>> LedgerAsync(string wallet)
    {
        await using var connection = new NpgsqlConnection(api.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""
            SELECT settled_at, transaction_status, amount_cents, 0::bigint FROM wallet_transactions WHERE wallet_id = $1 AND transaction_type = 'inbound' AND status = 'settled'
            UNION ALL
            SELECT created_at, transaction_status, -amount_cents, amount_cents FROM wallet_transactions WHERE wallet_id = $1 AND transaction_type = 'outbound'
            """, connection) { Parameters = { new NpgsqlParameter { Value = Guid.Parse(wallet) } } };
        await using var reader = await command.ExecuteReaderAsync();
        var moves = new List<Move>();
        while (await reader.ReadAsync())
            moves.Add(new Move(reader.GetFieldValue<DateTimeOffset>(0), reader.GetString(1), reader.GetInt64(2), reader.GetInt64(3)));
        return moves;
    }

    private static (long Balance, long Consumed) Replay(List<Move> ledger, DateTimeOffset at) =>
        (ledger.Where(m => m.At <= at).Sum(m => m.Balance), ledger.Where(m => m.At <= at).Sum(m => m.Consumed));

    private async Task<(DateTimeOffset Created, DateTimeOffset Terminated)> LifeAsync(string wallet)
    {
        await using var connection = new NpgsqlConnection(api.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT created_at, terminated_at FROM wallets WHERE id = $1", connection)
        { Parameters = { new NpgsqlParameter { Value = Guid.Parse(wallet) } } };
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetFieldValue<DateTimeOffset>(0), reader.IsDBNull(1) ? DateTimeOffset.MaxValue : reader.GetFieldValue<DateTimeOffset>(1));
    }

    private static async Task<long> BalanceAtAsync(HttpClient client, string wallet, DateTimeOffset at) =>
        (long)(await client.GetJsonAsync($"/api/v1/wallets/{wallet}?at={Iso(at)}")).Ok()["wallet"]!["balance_cents"]!;

    private static void AssertNotFound(Reply reply)
    {
        var body = reply.Expect(System.Net.HttpStatusCode.NotFound);
        Assert.Equal("wallet_not_found", (string)body["code"]!);
    }

    private static string Iso(DateTimeOffset at) => Uri.EscapeDataString(at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture));

    private static string Credits(long cents) => (cents / 100m).ToString("0.0####", CultureInfo.InvariantCulture);
}
