using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Wallets.Api.Features.Wallets;
using Wallets.Api.Jobs;
using Wallets.Api.Tests.Infrastructure;

namespace Wallets.Api.Tests.Alerts;

/// <summary>
/// Ongoing-balance alerts and `wallet.depleted_ongoing_balance`, evaluated by the ongoing-balance job for the customers
/// whose usage or balances changed: each crossing and each depletion is written to the outbox once.
/// </summary>
public sealed class OngoingBalanceAlertTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private OngoingBalanceJob Job => api.Services.GetRequiredService<OngoingBalanceJob>();

    /// <summary>Customer `acme` subscribed to a plan charging 1.00 EUR per `calls` event, with a 10-credit EUR wallet `main` (1 credit = 1 EUR).</summary>
    private async Task<(HttpClient Client, Guid Organization, string Wallet)> SubscribedAsync()
    {
        var (client, organization) = await api.AlertingOrganizationAsync();
        var calls = await client.MetricAsync("calls");
        await client.PlanAsync("p", "EUR", UsageSetup.Standard(calls, "1"));
        var wallet = (await client.WalletAsync("acme", new { code = "main", granted_credits = "10" }, currency: "EUR")).Id();
        await client.SubscribeAsync("acme", "sub", "p");
        return (client, organization, wallet);
    }

    private static async Task EventsAsync(HttpClient client, int count)
    {
        for (var i = 0; i < count; i++) await client.EventAsync("sub", "calls");
    }

    /// <summary>The organization's `alert.triggered` and `wallet.depleted_ongoing_balance` outbox rows, in the order written.</summary>
    private async Task<List<string>> SentAsync(Guid organization)
    {
        await using var connection = new NpgsqlConnection(api.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""
            SELECT payload::text FROM webhooks WHERE organization_id = $1 AND webhook_type IN ('alert.triggered', 'wallet.depleted_ongoing_balance')
            ORDER BY created_at, ctid
            """, connection) { Parameters = { new NpgsqlParameter { Value = organization } } };
        await using var reader = await command.ExecuteReaderAsync();
        var sent = new List<string>();
        while (await reader.ReadAsync())
        {
            var payload = JsonNode.Parse(reader.GetString(0))!;
            sent.Add((string)payload["webhook_type"]! == "alert.triggered"
                ? AlertSetup.Summary(payload["triggered_alert"]!)
                : $"depleted {payload["wallet"]!["ongoing_balance_cents"]} {payload["wallet"]!["depleted_ongoing_balance"]}");
        }
        return sent;
    }

    [Fact]
    public async Task Usage_crossing_thresholds_fires_each_once_in_order_with_the_depletion_and_again_only_after_the_balance_went_back_up()
    {
        var (client, organization, wallet) = await SubscribedAsync();
        (await client.PostAsync("/api/v1/customers/acme/wallets/main/alerts", new { alerts = new object[] {
            new { alert_type = "wallet_ongoing_balance_amount", code = "cents", thresholds = new[] { new { value = 500 }, new { value = 200 } } },
            new { alert_type = "wallet_credits_ongoing_balance", code = "credits", thresholds = new object[] { new { value = "8" }, new { value = "3", recurring = true } } } } })).Ok();

        await EventsAsync(client, 1);   // 9 credits: nothing
        await Job.RunOnceAsync(default);
        Assert.Empty(await SentAsync(organization));

        await EventsAsync(client, 2);   // 7: 8 credits
        await Job.RunOnceAsync(default);
        await EventsAsync(client, 3);   // 4: 500 cents, 5 credits (recurring below 8)
        await Job.RunOnceAsync(default);
        Assert.Equal(["credits 10.0->7.0 [8.0]", "credits 7.0->4.0 [5.0]", "cents 700.0->400.0 [500.0]"], await SentAsync(organization));

        // Nothing changed: rounds, even overlapping ones for a customer marked again, send nothing more.
        api.Services.GetRequiredService<OngoingBalanceChanges>().Mark(organization, await CustomerIdAsync(wallet));
        await Task.WhenAll(Job.RunOnceAsync(default), Job.RunOnceAsync(default));
        Assert.Equal(3, (await SentAsync(organization)).Count);

        await EventsAsync(client, 4);   // 0: 200 cents, 2 credits; depleted
        await Job.RunOnceAsync(default);
        await EventsAsync(client, 1);   // -1: -1 credit (the step goes on below zero); still depleted, not sent again
        await Job.RunOnceAsync(default);
        Assert.Equal(-100, (long)(await client.GetWalletAsync(wallet))["ongoing_balance_cents"]!);

        await client.GrantAsync(wallet, "20");   // 19: the alerts rearm and the wallet is no longer depleted, by a ledger change
        await Job.RunOnceAsync(default);
        Assert.False(await api.ScalarAsync<bool>("SELECT depleted_ongoing_balance FROM wallets WHERE id = @id", ("id", Guid.Parse(wallet))));
        await EventsAsync(client, 15);  // 4
        await Job.RunOnceAsync(default);
        await EventsAsync(client, 4);   // 0: depleted again
        await Job.RunOnceAsync(default);

        Assert.Equal([
            "credits 10.0->7.0 [8.0]", "credits 7.0->4.0 [5.0]", "cents 700.0->400.0 [500.0]",
            "credits 4.0->0.0 [2.0]", "cents 400.0->0.0 [200.0]", "depleted 0 true",
            "credits 0.0->-1.0 [-1.0]",
            "credits 19.0->4.0 [8.0,5.0]", "cents 1900.0->400.0 [500.0]",
            "credits 4.0->0.0 [2.0]", "cents 400.0->0.0 [200.0]", "depleted 0 true"], await SentAsync(organization));
    }

    [Fact]
    public async Task A_depletion_whose_mark_died_with_its_process_is_sent_by_the_first_round_after_a_start()
    {
        var (client, organization, _) = await SubscribedAsync();
        await EventsAsync(client, 10);
        // The process that stored the events died before its round: its marks are gone.
        api.Services.GetRequiredService<OngoingBalanceChanges>().Take();
        var restarted = ActivatorUtilities.CreateInstance<OngoingBalanceJob>(api.Services);
        Assert.True(await restarted.RunOnceAsync(default) >= 1);
        Assert.Equal(["depleted 0 true"], await SentAsync(organization));
        await restarted.RunOnceAsync(default);
        Assert.Equal(["depleted 0 true"], await SentAsync(organization));
    }

    [Fact]
    public async Task A_wallet_without_alerts_is_reported_depleted_once_per_depletion()
    {
        var (client, organization, wallet) = await SubscribedAsync();
        await EventsAsync(client, 9);
        Assert.Equal(0, await Job.RunOnceAsync(default));   // 1 credit left: nothing to do, no lock taken
        await EventsAsync(client, 1);
        Assert.Equal(1, await Job.RunOnceAsync(default));
        await EventsAsync(client, 2);
        Assert.Equal(0, await Job.RunOnceAsync(default));
        Assert.Equal(["depleted 0 true"], await SentAsync(organization));
        Assert.True((bool)(await client.GetWalletAsync(wallet))["depleted_ongoing_balance"]!);

        await client.GrantAsync(wallet, "5");    // 3 credits left
        await Job.RunOnceAsync(default);
        await EventsAsync(client, 3);
        await Job.RunOnceAsync(default);
        Assert.Equal(["depleted 0 true", "depleted 0 true"], await SentAsync(organization));
    }

    [Fact]
    public async Task Parallel_debits_and_overlapping_rounds_in_two_processes_send_one_webhook_per_crossing()
    {
        var (client, organization, wallet) = await SubscribedAsync();
        await client.GrantAsync(wallet, "10");   // 20 credits
        (await client.PostAsync("/api/v1/customers/acme/wallets/main/alerts",
            new { alert = new { alert_type = "wallet_credits_ongoing_balance", code = "ten", thresholds = new[] { new { value = 10 } } } })).Ok();
        await EventsAsync(client, 1);            // 19 credits: usage, so the wallet can be depleted

        await using var other = api.SecondInstance();
        var otherJob = other.Services.GetRequiredService<OngoingBalanceJob>();
        var customer = await CustomerIdAsync(wallet);
        // Debits and rounds of both processes at once; each process's round takes the customer whenever it is marked.
        var work = Enumerable.Range(0, 19).Select(_ => client.VoidAsync(wallet, "1"))
            .Concat(Enumerable.Range(0, 10).Select(async _ =>
            {
                other.Services.GetRequiredService<OngoingBalanceChanges>().Mark(organization, customer);
                api.Services.GetRequiredService<OngoingBalanceChanges>().Mark(organization, customer);
                await Task.WhenAll(Job.RunOnceAsync(default), otherJob.RunOnceAsync(default));
            }));
        await Task.WhenAll(work);
        other.Services.GetRequiredService<OngoingBalanceChanges>().Mark(organization, customer);
        await Task.WhenAll(Job.RunOnceAsync(default), otherJob.RunOnceAsync(default));

        Assert.Equal(0, (long)(await client.GetWalletAsync(wallet))["ongoing_balance_cents"]!);
        var sent = await SentAsync(organization);
        Assert.Equal(2, sent.Count);
        Assert.StartsWith("ten ", sent[0]);
        Assert.EndsWith("[10.0]", sent[0]);
        Assert.Equal("depleted 0 true", sent[1]);
    }

    [Fact]
    public async Task Balance_alerts_fire_exactly_as_a_reference_evaluation_of_every_change_while_changes_inside_the_band_evaluate_nothing()
    {
        var (client, organization) = await api.AlertingOrganizationAsync();
        var wallet = (await client.WalletAsync("walker", new { code = "main", granted_credits = "100" }, rate: "0.7")).Id();
        (await client.PostAsync("/api/v1/customers/walker/wallets/main/alerts", new { alerts = new object[] {
            new { alert_type = "wallet_balance_amount", code = "cents", thresholds = new object[] { new { value = 5000 }, new { value = "2000.5" }, new { value = 1500, recurring = true } } },
            new { alert_type = "wallet_credits_balance", code = "credits", thresholds = new object[] { new { value = "60" }, new { value = "33.33333" }, new { value = "7", recurring = true } } } } })).Ok();

        // The alert's last evaluation does not move while the balance stays inside the band.
        await client.VoidAsync(wallet, "1");
        Assert.Equal(7000m, await api.ScalarAsync<decimal>("SELECT previous_value FROM wallet_alerts WHERE code = 'cents' AND wallet_id = @id", ("id", Guid.Parse(wallet))));

        // A walk down and up, compared with evaluating every change: current <= t < previous, the recurring step below the lowest one-time threshold.
        var random = new Random(17);
        var cents = 6930L;
        var expected = new List<string>();
        for (var step = 0; step < 40; step++)
        {
            var credits = random.Next(1, 25);
            var down = random.Next(3) > 0 && cents >= credits * 70;
            if (down) await client.VoidAsync(wallet, credits.ToString()); else await client.GrantAsync(wallet, credits.ToString());
            var next = cents + (down ? -credits * 70 : credits * 70);
            expected.AddRange(Reference("cents", cents, next, c => c, [5000m, 2000.5m], 1500m));
            expected.AddRange(Reference("credits", cents, next, c => Math.Round(c / 70m, 5, MidpointRounding.AwayFromZero), [60m, 33.33333m], 7m));
            cents = next;
        }
        Assert.True(expected.Count >= 10, $"the walk crossed only {expected.Count} times");
        Assert.Equal(expected, (await api.TriggeredAsync(organization)).Select(AlertSetup.Summary));
    }

    private static IEnumerable<string> Reference(string code, long before, long after, Func<long, decimal> value, decimal[] thresholds, decimal step)
    {
        var (previous, current) = (value(before), value(after));
        var initial = thresholds.Min();
        var crossed = thresholds.Where(t => current <= t && t < previous)
            .Concat(Enumerable.Range(1, 200).Select(k => initial - k * step).Where(t => current <= t && t < previous).OrderBy(t => t)).ToList();
        if (crossed.Count == 0) yield break;
        yield return $"{code} {Text(previous)}->{Text(current)} [{string.Join(",", crossed.Select(Text))}]";
    }

    private static string Text(decimal value)
    {
        var text = value.ToString("0.#####", System.Globalization.CultureInfo.InvariantCulture);
        return text.Contains('.') ? text : text + ".0";
    }

    private Task<Guid> CustomerIdAsync(string wallet) => api.ScalarAsync<Guid>("SELECT customer_id FROM wallets WHERE id = @id", ("id", Guid.Parse(wallet)));
}
