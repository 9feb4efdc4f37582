using Wallets.Api.Tests.Infrastructure;
using static Wallets.Api.Tests.Invoicing.InvoicingSetup;

namespace Wallets.Api.Tests.Invoicing;

/// <summary>
/// Seed 000's table, row by row, on one invoice: a charge that accepts target wallets and one that does not; usage
/// targeted at a wallet that exists, at one that does not, and untargeted.
/// </summary>
public sealed class TargetWalletTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Targeted_usage_is_paid_only_by_its_wallet_an_unknown_target_stays_due_and_the_rest_follows_the_standard_order()
    {
        var client = await api.NewOrganizationClientAsync();
        var gpu = Charge(await client.SumMetricAsync("gpu"));
        gpu["accepts_target_wallets"] = true;
        var cpu = Charge(await client.SumMetricAsync("cpu"));
        var plan = await client.PlanAsync("compute", 0, [gpu, cpu]);
        Assert.True((bool)plan["charges"]![0]!["accepts_target_wallet"]!);
        await client.CustomerAsync("team");
        // `main` comes first in the standard order; `team-a` is limited to subscription fees, which a target overrides.
        var main = await client.EuroWalletAsync("team", "main", "100", priority: 1);
        var teamA = await client.EuroWalletAsync("team", "team-a", "100", priority: 50, feeTypes: ["subscription"]);
        var month = api.ThisMonth();
        var subscription = await client.SubscribeAsync("team", "compute", month);
        // Row 1: accepts targets + valid code → only that wallet pays.
        await api.UsageAsync(subscription, plan.ChargeId(0), month, 10, targetWalletCode: "team-a");
        // Row 2: accepts targets + unknown code → nobody pays; it stays due.
        await api.UsageAsync(subscription, plan.ChargeId(0), month, 7, targetWalletCode: "ghost");
        // Row 3: accepts targets + no code → standard selection.
        await api.UsageAsync(subscription, plan.ChargeId(0), month, 5);
        // Row 4: does not accept targets → the target is ignored, standard selection.
        await api.UsageAsync(subscription, plan.ChargeId(1), month, 4, targetWalletCode: "team-a");

        await api.BillAsync(month.AddMonths(1).AddHours(1));
        var invoice = Assert.Single(await client.InvoicesAsync("team"));
        Assert.Equal(1_000, (long)invoice.Fee("charge", "team-a")["amount_cents"]!);
        Assert.Equal(700, (long)invoice.Fee("charge", "ghost")["amount_cents"]!);
        var untargeted = invoice["fees"]!.AsArray().Where(f => (string?)f!["item"]!["type"] == "charge" && f["item"]!["grouped_by"]!["target_wallet_code"] is null)
            .Select(f => ((string)f!["item"]!["code"]!, (long)f["amount_cents"]!)).OrderBy(f => f.Item1).ToList();
        Assert.Equal([("cpu", 400L), ("gpu", 500L)], untargeted);

        Assert.Equal(new Dictionary<string, long> { ["main"] = 900, ["team-a"] = 1_000 }, await api.PaidByWalletAsync(invoice.Id()));
        Assert.Equal((2_600L, 1_900L, 700L, "pending"), ((long)invoice["sub_total_including_taxes_amount_cents"]!,
            (long)invoice["prepaid_credit_amount_cents"]!, (long)invoice["total_amount_cents"]!, (string)invoice["payment_status"]!));
        Assert.Equal((9_100L, 9_000L), (await client.BalanceAsync(main.Id()), await client.BalanceAsync(teamA.Id())));
        await LedgerInvariants.AssertAsync(api);
    }

    [Fact]
    public async Task A_target_wallet_with_too_little_leaves_the_rest_of_its_usage_due()
    {
        var client = await api.NewOrganizationClientAsync();
        var gpu = Charge(await client.SumMetricAsync("gpu"));
        gpu["accepts_target_wallet"] = true;
        var plan = await client.PlanAsync("compute", 0, [gpu]);
        await client.CustomerAsync("small");
        await client.EuroWalletAsync("small", "rich", "1000", priority: 1);
        await client.EuroWalletAsync("small", "poor", "3");
        var month = api.ThisMonth();
        var subscription = await client.SubscribeAsync("small", "compute", month);
        await api.UsageAsync(subscription, plan.ChargeId(), month, 10, targetWalletCode: "poor");

        await api.BillAsync(month.AddMonths(1).AddHours(1));
        var invoice = Assert.Single(await client.InvoicesAsync("small"));
        // The rich wallet may not pay what targets the poor one.
        Assert.Equal(new Dictionary<string, long> { ["poor"] = 300 }, await api.PaidByWalletAsync(invoice.Id()));
        Assert.Equal(700, (long)invoice["total_amount_cents"]!);
    }
}
