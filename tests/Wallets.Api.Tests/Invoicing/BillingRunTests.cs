using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Wallets.Api.Jobs;
using Wallets.Api.Tests.Infrastructure;
using static Wallets.Api.Tests.Invoicing.InvoicingSetup;

namespace Wallets.Api.Tests.Invoicing;

/// <summary>The billing job: which periods it bills, with which fees, amounts, taxes and dates.</summary>
public sealed class BillingRunTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    /// <summary>Moves the clock to the 15th, 10:00 of this month (or the next one when that has passed) and returns it.</summary>
    private DateTimeOffset MidMonth()
    {
        var target = api.ThisMonth().AddDays(14).AddHours(10);
        if (target < api.Clock.GetUtcNow()) target = api.ThisMonth().AddMonths(1).AddDays(14).AddHours(10);
        api.MoveClockTo(target);
        return target;
    }

    [Fact]
    public async Task An_ended_period_is_billed_once_with_its_subscription_fee_usage_and_taxes()
    {
        var client = await api.NewOrganizationClientAsync();
        await client.TaxAsync("vat", "20");
        var metric = await client.SumMetricAsync("api");
        var plan = await client.PlanAsync("basic", 10_000, [Charge(metric, "0.5")], taxCodes: ["vat"]);
        await client.CustomerAsync("acme", netPaymentTerm: 30);
        var month = api.ThisMonth();
        var subscription = await client.SubscribeAsync("acme", "basic", month);
        await api.UsageAsync(subscription, plan.ChargeId(), month, 30, events: 4);

        // The period has not ended yet: nothing to bill.
        await api.BillAsync(api.Clock.GetUtcNow());
        Assert.Empty(await client.InvoicesAsync("acme"));

        await api.BillAsync(month.AddMonths(1).AddHours(1));
        var invoice = Assert.Single(await client.InvoicesAsync("acme"));
        Assert.Equal(("subscription", "finalized", "pending", "EUR"),
            ((string)invoice["invoice_type"]!, (string)invoice["status"]!, (string)invoice["payment_status"]!, (string)invoice["currency"]!));
        var lastDay = DateOnly.FromDateTime(month.AddMonths(1).AddDays(-1).UtcDateTime);
        Assert.Equal(lastDay.ToString("yyyy-MM-dd"), (string?)invoice["issuing_date"]);
        Assert.Equal(lastDay.AddDays(30).ToString("yyyy-MM-dd"), (string?)invoice["payment_due_date"]);
        Assert.Equal(30, (int)invoice["net_payment_term"]!);
        Assert.Equal((11_500L, 2_300L, 11_500L, 13_800L, 13_800L, 0L),
            ((long)invoice["fees_amount_cents"]!, (long)invoice["taxes_amount_cents"]!, (long)invoice["sub_total_excluding_taxes_amount_cents"]!,
             (long)invoice["sub_total_including_taxes_amount_cents"]!, (long)invoice["total_amount_cents"]!, (long)invoice["prepaid_credit_amount_cents"]!));
        var tax = Assert.Single(invoice["applied_taxes"]!.AsArray())!;
        Assert.Equal(("vat", 20m, 2_300L, 11_500L), ((string)tax["tax_code"]!, (decimal)tax["tax_rate"]!, (long)tax["amount_cents"]!, (long)tax["fees_amount_cents"]!));

        var fee = invoice.Fee("subscription");
        Assert.Equal((10_000L, 2_000L, 12_000L), ((long)fee["amount_cents"]!, (long)fee["taxes_amount_cents"]!, (long)fee["total_amount_cents"]!));
        Assert.Equal(Iso(month), (string?)fee["from_date"]);
        Assert.Equal(Iso(month.AddMonths(1).AddSeconds(-1)), (string?)fee["to_date"]);
        var usage = invoice.Fee("charge");
        Assert.Equal((1_500L, 300L, "30.0", 4L), ((long)usage["amount_cents"]!, (long)usage["taxes_amount_cents"]!, (string)usage["units"]!, (long)usage["events_count"]!));
        Assert.Equal(plan.ChargeId(), (string?)usage["lago_charge_id"]);
        Assert.Equal("api", (string?)usage["item"]!["code"]);

        // Running again, even much later, does not bill that period again (the next one is billed once it ends).
        await api.BillAsync(month.AddMonths(1).AddDays(3));
        Assert.Single(await client.InvoicesAsync("acme"));
        await LedgerInvariants.AssertAsync(api);
    }

    [Fact]
    public async Task A_first_period_started_mid_month_is_prorated_by_the_days_it_started()
    {
        var client = await api.NewOrganizationClientAsync();
        await client.PlanAsync("late", 31_000, []);
        await client.CustomerAsync("late");
        var started = MidMonth();
        await client.SubscribeAsync("late", "late", started);

        await api.BillAsync(api.ThisMonth().AddMonths(1).AddHours(1));
        var invoice = Assert.Single(await client.InvoicesAsync("late"));
        var days = DateTime.DaysInMonth(started.Year, started.Month) - 14;
        var fee = invoice.Fee("subscription");
        Assert.Equal((long)Math.Round(31_000m * days / DateTime.DaysInMonth(started.Year, started.Month), MidpointRounding.AwayFromZero), (long)fee["amount_cents"]!);
        Assert.Equal(Iso(started), (string?)fee["from_date"]);
        // No usage was recorded: no charge fee of zero units.
        Assert.Single(invoice["fees"]!.AsArray());
    }

    [Fact]
    public async Task Pay_in_advance_plans_bill_the_opening_period_then_each_next_one_with_the_usage_of_the_last()
    {
        var client = await api.NewOrganizationClientAsync();
        var metric = await client.SumMetricAsync("seats");
        var plan = await client.PlanAsync("ahead", 31_000, [Charge(metric, "2")], payInAdvance: true);
        await client.CustomerAsync("ahead");
        var started = MidMonth();
        var month = api.ThisMonth();
        var subscription = await client.SubscribeAsync("ahead", "ahead", started);

        Assert.True(await api.BillAsync(started.AddMinutes(1)) >= 1);
        var opening = Assert.Single(await client.InvoicesAsync("ahead"));
        var days = DateTime.DaysInMonth(month.Year, month.Month) - 14;
        var openingFee = Assert.Single(opening["fees"]!.AsArray())!;
        Assert.Equal((long)Math.Round(31_000m * days / DateTime.DaysInMonth(month.Year, month.Month), MidpointRounding.AwayFromZero), (long)openingFee["amount_cents"]!);
        Assert.True((bool)openingFee["pay_in_advance"]!);

        await api.UsageAsync(subscription, plan.ChargeId(), month, 5);
        await api.BillAsync(month.AddMonths(1).AddHours(1));
        var invoices = await client.InvoicesAsync("ahead");
        Assert.Equal(2, invoices.Count);
        var next = invoices[1];
        var fee = next.Fee("subscription");
        Assert.Equal(31_000, (long)fee["amount_cents"]!);
        Assert.Equal(Iso(month.AddMonths(1)), (string?)fee["from_date"]);
        var usage = next.Fee("charge");
        Assert.Equal(1_000, (long)usage["amount_cents"]!);
        Assert.Equal((Iso(started), Iso(month.AddMonths(1).AddSeconds(-1))), ((string)usage["from_date"]!, (string)usage["to_date"]!));
    }

    [Fact]
    public async Task Charges_billed_in_advance_or_not_invoiceable_are_left_out()
    {
        var client = await api.NewOrganizationClientAsync();
        var (a, b, c) = (await client.SumMetricAsync("a"), await client.SumMetricAsync("b"), await client.SumMetricAsync("c"));
        var inAdvance = Charge(b);
        inAdvance["pay_in_advance"] = true;
        var hidden = Charge(c);
        hidden["invoiceable"] = false;
        var plan = await client.PlanAsync("mixed", 0, [Charge(a), inAdvance, hidden]);
        await client.CustomerAsync("mixed");
        var month = api.ThisMonth();
        var subscription = await client.SubscribeAsync("mixed", "mixed", month);
        for (var i = 0; i < 3; i++) await api.UsageAsync(subscription, plan.ChargeId(i), month, 7);

        await api.BillAsync(month.AddMonths(1).AddHours(1));
        var invoice = Assert.Single(await client.InvoicesAsync("mixed"));
        Assert.Equal(["subscription", "charge"], invoice["fees"]!.AsArray().Select(f => (string)f!["item"]!["type"]!).ToArray());
        Assert.Equal(plan.ChargeId(0), (string?)invoice.Fee("charge")["lago_charge_id"]);
        Assert.Equal(700, (long)invoice["total_amount_cents"]!);
    }

    [Fact]
    public async Task Periods_missed_while_the_job_did_not_run_are_billed_one_invoice_each()
    {
        var client = await api.NewOrganizationClientAsync();
        await client.PlanAsync("steady", 5_000, []);
        await client.CustomerAsync("steady");
        var month = api.ThisMonth();
        await client.SubscribeAsync("steady", "steady", month);

        await api.BillAsync(month.AddMonths(3).AddHours(1));
        var invoices = await client.InvoicesAsync("steady");
        Assert.Equal(3, invoices.Count);
        Assert.Equal([Iso(month), Iso(month.AddMonths(1)), Iso(month.AddMonths(2))],
            invoices.Select(i => (string)i.Fee("subscription")["from_date"]!).ToArray());
        Assert.All(invoices, i => Assert.Equal(5_000, (long)i["total_amount_cents"]!));
        Assert.Equal(3, invoices.Select(i => (long)i["sequential_id"]!).Distinct().Count());
    }

    [Fact]
    public async Task Two_runs_at_the_same_moment_bill_and_pay_each_period_once()
    {
        var client = await api.NewOrganizationClientAsync();
        await client.PlanAsync("race", 2_500, []);
        var month = api.ThisMonth();
        for (var i = 0; i < 12; i++)
        {
            await client.CustomerAsync($"race-{i}");
            await client.EuroWalletAsync($"race-{i}", "main", "20");
            await client.SubscribeAsync($"race-{i}", "race", month);
        }

        api.MoveClockTo(month.AddMonths(1).AddHours(1));
        var job = api.Services.GetRequiredService<global::Wallets.Api.Jobs.BillingJob>();
        await Task.WhenAll(job.RunOnceAsync(CancellationToken.None), job.RunOnceAsync(CancellationToken.None));

        for (var i = 0; i < 12; i++)
        {
            var invoice = Assert.Single(await client.InvoicesAsync($"race-{i}"));
            Assert.Equal((2_000L, 500L), ((long)invoice["prepaid_credit_amount_cents"]!, (long)invoice["total_amount_cents"]!));
            Assert.Equal(2_000, Assert.Single(await api.PaidByWalletAsync(invoice.Id())).Value);
        }
        await LedgerInvariants.AssertAsync(api);
    }

    [Fact]
    public async Task A_subscription_that_cannot_be_billed_holds_back_no_other_and_is_counted()
    {
        using var counters = new MeterCounters(api.Services.GetRequiredService<IMeterFactory>());
        var job = api.Services.GetRequiredService<BillingJob>();
        var workers = job.Workers;
        // One worker: with more, another could claim the batch again between its rollback and its retry, counting twice.
        job.Workers = 1;
        try
        {
            await CannotBeBilledAsync(counters);
        }
        finally
        {
            job.Workers = workers;
        }
    }

    private async Task CannotBeBilledAsync(MeterCounters counters)
    {
        var client = await api.NewOrganizationClientAsync();
        await client.PlanAsync("fragile", 1_000, []);
        var month = api.ThisMonth();
        foreach (var name in new[] { "fine-1", "broken", "fine-2" })
        {
            await client.CustomerAsync(name);
            await client.EuroWalletAsync(name, "main", "5");
            await client.SubscribeAsync(name, "fragile", month);
        }
        // A wallet whose balance says more than its grants hold (written behind the ledger's back): paying from it fails.
        const string drift = "UPDATE wallets SET balance_cents = balance_cents + @cents FROM customers c WHERE c.id = wallets.customer_id AND c.external_id = 'broken'";
        await api.ScalarAsync<int>($"ALTER TABLE wallets DISABLE TRIGGER wallet_balance_matches_grants; {drift}; ALTER TABLE wallets ENABLE TRIGGER wallet_balance_matches_grants; SELECT 1", ("cents", 1_000L));

        var made = await api.BillAsync(month.AddMonths(1).AddHours(1));
        var afterFirstRun = (counters["wallets.billing.invoices"], counters["wallets.billing.batches_retried"], counters["wallets.billing.subscriptions_failed"]);
        Assert.Empty(await client.InvoicesAsync("broken"));
        foreach (var name in new[] { "fine-1", "fine-2" })
            Assert.Equal(500, (long)Assert.Single(await client.InvoicesAsync(name))["prepaid_credit_amount_cents"]!);

        await api.ScalarAsync<int>($"ALTER TABLE wallets DISABLE TRIGGER wallet_balance_matches_grants; {drift}; ALTER TABLE wallets ENABLE TRIGGER wallet_balance_matches_grants; SELECT 1", ("cents", -1_000L));
        made += await api.BillAsync(month.AddMonths(1).AddHours(2));
        Assert.Equal(500, (long)Assert.Single(await client.InvoicesAsync("broken"))["prepaid_credit_amount_cents"]!);
        // The run also bills what other tests of this class left due, so invoices are checked against what the runs said.
        Assert.Equal((1, 1), (afterFirstRun.Item2, afterFirstRun.Item3));
        Assert.Equal((made, 1, 1), (counters["wallets.billing.invoices"], counters["wallets.billing.batches_retried"], counters["wallets.billing.subscriptions_failed"]));
        await LedgerInvariants.AssertAsync(api);
    }

    internal static string Iso(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'");
}
