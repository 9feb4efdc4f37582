using Wallets.Api.Tests.Infrastructure;
using static Wallets.Api.Tests.Invoicing.InvoicingSetup;

namespace Wallets.Api.Tests.Invoicing;

/// <summary>The whole path over HTTP: events → live balances → the billing run → prepaid credits, seed 000's rows included.</summary>
public sealed class EventsToInvoiceTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Targeted_events_are_paid_by_their_wallet_untargeted_ones_by_priority_and_an_unknown_target_stays_due()
    {
        var client = await api.NewOrganizationClientAsync();
        var gpu = Charge(await client.SumMetricAsync("gpu"));
        gpu["accepts_target_wallet"] = true;
        var cpu = Charge(await client.SumMetricAsync("cpu"));
        var plan = await client.PlanAsync("compute", 0, [gpu, cpu]);
        await InvoicingSetup.CustomerAsync(client, "e2e");
        var main = await client.EuroWalletAsync("e2e", "main", "100", priority: 1);
        var team = await client.EuroWalletAsync("e2e", "team", "100", priority: 50);
        var month = api.ThisMonth();
        await client.SubscribeAsync("e2e", "compute", month, "e2e-sub");

        // Each event shows in the live balance on the next read: the targeted one only on its wallet.
        await client.EventAsync("e2e-sub", "gpu", new { units = "10", target_wallet_code = "team" });
        Assert.Equal((0L, 1_000L), await OngoingAsync(client, main.Id(), team.Id()));
        await client.EventAsync("e2e-sub", "gpu", new { units = "5" });
        Assert.Equal((500L, 1_000L), await OngoingAsync(client, main.Id(), team.Id()));
        await client.SendEventAsync(new Dictionary<string, object?>
        {
            ["transaction_id"] = "ghost-1", ["external_subscription_id"] = "e2e-sub", ["code"] = "gpu",
            ["target_wallet_code"] = "ghost", ["properties"] = new { units = "7" },
        });
        await client.EventAsync("e2e-sub", "cpu", new { units = "4", target_wallet_code = "team" });
        Assert.Equal((900L, 1_000L), await OngoingAsync(client, main.Id(), team.Id()));

        Assert.Equal(1, await api.BillAsync(month.AddMonths(1).AddHours(1)));
        var invoice = Assert.Single(await client.InvoicesAsync("e2e"));
        Assert.Equal(1_000, (long)invoice.Fee("charge", "team")["amount_cents"]!);
        Assert.Equal(700, (long)invoice.Fee("charge", "ghost")["amount_cents"]!);
        Assert.Equal(new Dictionary<string, long> { ["main"] = 900, ["team"] = 1_000 }, await api.PaidByWalletAsync(invoice.Id()));
        Assert.Equal((1_900L, 700L), ((long)invoice["prepaid_credit_amount_cents"]!, (long)invoice["total_amount_cents"]!));
        Assert.Equal(1_900L, (long?)invoice["prepaid_granted_credit_amount_cents"]);
        Assert.Null((long?)invoice["prepaid_purchased_credit_amount_cents"]);

        // The invoiced debits are traced to the grants that paid them; the new period starts with no usage.
        var debit = await api.ScalarAsync<Guid>("SELECT id FROM wallet_transactions WHERE invoice_id = @i AND wallet_id = @w",
            ("i", Guid.Parse(invoice.Id())), ("w", Guid.Parse(main.Id())));
        var funding = (await client.GetJsonAsync($"/api/v1/wallet_transactions/{debit}/fundings")).Ok()["wallet_transaction_fundings"]!.AsArray();
        Assert.Equal(900, (long)Assert.Single(funding)!["amount_cents"]!);
        Assert.Equal((0L, 0L), await OngoingAsync(client, main.Id(), team.Id()));
        Assert.Equal((9_100L, 9_000L), (await client.BalanceAsync(main.Id()), await client.BalanceAsync(team.Id())));

        // A second run (and the events' idempotency) change nothing.
        Assert.Equal(0, await api.BillAsync(month.AddMonths(1).AddHours(2)));
        (await client.SendEventAsync(new { transaction_id = "ghost-1", external_subscription_id = "e2e-sub", code = "gpu" }))
            .ExpectValidation("transaction_id", "value_already_exist");
        await LedgerInvariants.AssertAsync(api);
    }

    private static async Task<(long, long)> OngoingAsync(HttpClient client, string first, string second) =>
        ((long)(await client.GetWalletAsync(first))["ongoing_usage_balance_cents"]!, (long)(await client.GetWalletAsync(second))["ongoing_usage_balance_cents"]!);
}
