using System.Text.Json.Nodes;
using Wallets.Api.Tests.Infrastructure;
using static Wallets.Api.Tests.Invoicing.InvoicingSetup;

namespace Wallets.Api.Tests.Invoicing;

/// <summary>Prepaid credits on subscription invoices: after tax, across wallets, within their limits, traced to grants.</summary>
public sealed class PrepaidCreditTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    /// <summary>One customer on a plan with a subscription fee and one charge per metric code; returns the plan.</summary>
    private async Task<(HttpClient Client, JsonNode Plan, JsonNode Subscription, DateTimeOffset Month)> CustomerOnPlanAsync(
        string customer, long amountCents, string[] metrics, string[]? planTaxes = null)
    {
        var client = await api.NewOrganizationClientAsync();
        var charges = new List<object>();
        foreach (var code in metrics) charges.Add(Charge(await client.SumMetricAsync(code)));
        var plan = await client.PlanAsync("plan", amountCents, charges, taxCodes: planTaxes);
        await client.CustomerAsync(customer);
        var month = api.ThisMonth();
        return (client, plan, await client.SubscribeAsync(customer, "plan", month), month);
    }

    private async Task<JsonNode> BillMonthAsync(HttpClient client, string customer, DateTimeOffset month)
    {
        await api.BillAsync(month.AddMonths(1).AddHours(1));
        return Assert.Single(await client.InvoicesAsync(customer));
    }

    [Fact]
    public async Task Lagos_worked_example_six_wallets_pay_5150_as_lago_does()
    {
        var client = await api.NewOrganizationClientAsync();
        // Taxes that come to exactly 100 on 3500 and 50 on 1500 (Lago's example): 2.85714 % and 3.33333 %.
        await client.TaxAsync("sub_tax", "2.85714");
        await client.TaxAsync("usage_tax", "3.33333");
        var charge = Charge(await client.SumMetricAsync("compute"));
        charge["tax_codes"] = new[] { "usage_tax" };
        var plan = await client.PlanAsync("example", 3_500, [charge], taxCodes: ["sub_tax"]);
        await client.CustomerAsync("lago");
        foreach (var priority in new[] { 49, 50 })
        {
            await client.EuroWalletAsync("lago", $"p{priority}-unrestricted", "10", priority);
            await client.EuroWalletAsync("lago", $"p{priority}-charge", "10", priority, feeTypes: ["charge"]);
            await client.EuroWalletAsync("lago", $"p{priority}-subscription", "10", priority, feeTypes: ["subscription"]);
        }
        var month = api.ThisMonth();
        var subscription = await client.SubscribeAsync("lago", "example", month);
        await api.UsageAsync(subscription, plan.ChargeId(), month, 15);

        var invoice = await BillMonthAsync(client, "lago", month);
        Assert.Equal((3_500L, 100L), ((long)invoice.Fee("subscription")["amount_cents"]!, (long)invoice.Fee("subscription")["taxes_amount_cents"]!));
        Assert.Equal((1_500L, 50L), ((long)invoice.Fee("charge")["amount_cents"]!, (long)invoice.Fee("charge")["taxes_amount_cents"]!));
        Assert.Equal(5_150, (long)invoice["sub_total_including_taxes_amount_cents"]!);
        Assert.Equal(new Dictionary<string, long>
        {
            ["p49-unrestricted"] = 1_000, ["p49-charge"] = 1_000, ["p49-subscription"] = 1_000,
            ["p50-unrestricted"] = 1_000, ["p50-charge"] = 550, ["p50-subscription"] = 600,
        }, await api.PaidByWalletAsync(invoice.Id()));
        Assert.Equal((5_150L, 5_150L, 0L, "succeeded"), ((long)invoice["prepaid_credit_amount_cents"]!,
            (long)invoice["prepaid_granted_credit_amount_cents"]!, (long)invoice["total_amount_cents"]!, (string)invoice["payment_status"]!));
        Assert.Null(invoice["prepaid_purchased_credit_amount_cents"]);
        await LedgerInvariants.AssertAsync(api);
    }

    [Fact]
    public async Task Credits_pay_the_tax_inclusive_total_and_what_they_do_not_cover_stays_due()
    {
        var (client, _, _, month) = await CustomerOnPlanAsync("taxed", 10_000, [], planTaxes: null);
        await client.TaxAsync("vat", "20", organizationDefault: true);
        var wallet = await client.EuroWalletAsync("taxed", "main", "150");

        var invoice = await BillMonthAsync(client, "taxed", month);
        Assert.Equal((12_000L, 0L, "succeeded"), ((long)invoice["prepaid_credit_amount_cents"]!, (long)invoice["total_amount_cents"]!, (string)invoice["payment_status"]!));
        Assert.Equal(3_000, await client.BalanceAsync(wallet.Id()));

        var (other, _, _, otherMonth) = await CustomerOnPlanAsync("short", 10_000, []);
        var small = await other.EuroWalletAsync("short", "main", "40");
        var partial = await BillMonthAsync(other, "short", otherMonth);
        Assert.Equal((4_000L, 6_000L, "pending"), ((long)partial["prepaid_credit_amount_cents"]!, (long)partial["total_amount_cents"]!, (string)partial["payment_status"]!));
        Assert.Equal(0, await other.BalanceAsync(small.Id()));
        // The wallet's `invoiced` debit names the invoice it paid.
        var debit = (await other.GetJsonAsync($"/api/v1/wallets/{small.Id()}/wallet_transactions?transaction_status=invoiced")).Ok()["wallet_transactions"]!.AsArray().Single()!;
        Assert.Equal((partial.Id(), "40.0", "outbound", "settled"),
            ((string)debit["lago_invoice_id"]!, (string)debit["credit_amount"]!, (string)debit["transaction_type"]!, (string)debit["status"]!));
        await LedgerInvariants.AssertAsync(api);
    }

    [Fact]
    public async Task Wallets_pay_by_priority_then_oldest_first()
    {
        var (client, _, _, month) = await CustomerOnPlanAsync("order", 2_500, []);
        await client.EuroWalletAsync("order", "old50", "10");
        await client.EuroWalletAsync("order", "top10", "10", priority: 10);
        await client.EuroWalletAsync("order", "new50", "10");

        var invoice = await BillMonthAsync(client, "order", month);
        Assert.Equal(new Dictionary<string, long> { ["top10"] = 1_000, ["old50"] = 1_000, ["new50"] = 500 }, await api.PaidByWalletAsync(invoice.Id()));
    }

    [Fact]
    public async Task Applies_to_limits_wallets_by_fee_type_and_billable_metric_as_a_union()
    {
        var (client, plan, subscription, month) = await CustomerOnPlanAsync("limits", 1_000, ["storage", "calls", "gpu"]);
        await api.UsageAsync(subscription, plan.ChargeId(0), month, 20);
        await api.UsageAsync(subscription, plan.ChargeId(1), month, 30);
        await api.UsageAsync(subscription, plan.ChargeId(2), month, 40);
        // First in line, but limited to a metric that does not exist: it pays nothing.
        await client.EuroWalletAsync("limits", "ghost", "100", priority: 1, metricCodes: ["nope"]);
        await client.EuroWalletAsync("limits", "subs", "100", priority: 2, feeTypes: ["subscription"]);
        await client.EuroWalletAsync("limits", "storage", "100", priority: 3, metricCodes: ["storage"]);
        await client.EuroWalletAsync("limits", "mixed", "100", priority: 4, feeTypes: ["subscription"], metricCodes: ["calls"]);

        var invoice = await BillMonthAsync(client, "limits", month);
        Assert.Equal(new Dictionary<string, long> { ["subs"] = 1_000, ["storage"] = 2_000, ["mixed"] = 3_000 }, await api.PaidByWalletAsync(invoice.Id()));
        // Nobody may pay the gpu usage.
        Assert.Equal((4_000L, "pending"), ((long)invoice["total_amount_cents"]!, (string)invoice["payment_status"]!));
    }

    [Fact]
    public async Task Each_invoiced_debit_is_funded_by_priority_then_granted_before_purchased_then_oldest_first()
    {
        var (client, _, _, month) = await CustomerOnPlanAsync("trace", 3_500, []);
        var wallet = await client.EuroWalletAsync("trace", "main", "10");
        var g1 = (await client.GetJsonAsync($"/api/v1/wallets/{wallet.Id()}/wallet_transactions")).Ok()["wallet_transactions"]![0]!;
        var p1 = (await client.TransactAsync(wallet.Id(), new { paid_credits = "10" })).Single()!;
        (await client.PutAsync($"/api/v1/invoices/{(string)p1["lago_invoice_id"]!}", new { invoice = new { payment_status = "succeeded" } })).Ok();
        var g2 = (await client.TransactAsync(wallet.Id(), new { granted_credits = "10", priority = 10 })).Single()!;
        var g3 = (await client.TransactAsync(wallet.Id(), new { granted_credits = "10" })).Single()!;

        var invoice = await BillMonthAsync(client, "trace", month);
        var debit = (await client.GetJsonAsync($"/api/v1/wallets/{wallet.Id()}/wallet_transactions?transaction_status=invoiced")).Ok()["wallet_transactions"]!.AsArray().Single()!;
        var fundings = (await client.GetJsonAsync($"/api/v1/wallet_transactions/{debit.Id()}/fundings")).Ok()["wallet_transaction_fundings"]!.AsArray()
            .Select(f => ((string)f!["wallet_transaction"]!["lago_id"]!, (long)f["amount_cents"]!)).ToList();
        Assert.Equal([(g2.Id(), 1_000L), (g1.Id(), 1_000L), (g3.Id(), 1_000L), (p1.Id(), 500L)], fundings);
        Assert.Equal((3_500L, 3_000L, 500L), ((long)invoice["prepaid_credit_amount_cents"]!,
            (long)invoice["prepaid_granted_credit_amount_cents"]!, (long)invoice["prepaid_purchased_credit_amount_cents"]!));
        await LedgerInvariants.AssertAsync(api);
    }

    [Fact]
    public async Task Wallets_of_another_currency_or_terminated_ones_pay_nothing()
    {
        var (client, _, _, month) = await CustomerOnPlanAsync("others", 1_000, []);
        // The customer bills in EUR; a wallet is always in its customer's currency, so the other currency is
        // written directly (as an old wallet would be), to prove the invoice currency filter.
        var usd = await client.EuroWalletAsync("others", "usd", "100");
        await api.ScalarAsync<int>("UPDATE wallets SET currency = 'USD' WHERE id = @id RETURNING 1", ("id", Guid.Parse(usd.Id())));
        var gone = await client.EuroWalletAsync("others", "gone", "100");
        (await client.DeleteJsonAsync($"/api/v1/wallets/{gone.Id()}")).Ok();

        var invoice = await BillMonthAsync(client, "others", month);
        Assert.Empty(await api.PaidByWalletAsync(invoice.Id()));
        Assert.Equal(1_000, (long)invoice["total_amount_cents"]!);
    }
}
