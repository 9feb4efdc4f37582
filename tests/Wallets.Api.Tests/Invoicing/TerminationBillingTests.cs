using System.Net;
using System.Text.Json.Nodes;
using Npgsql;
using Wallets.Api.Tests.Infrastructure;
using static Wallets.Api.Tests.Invoicing.InvoicingSetup;

namespace Wallets.Api.Tests.Invoicing;

/// <summary>Terminating a subscription bills the period so far, in the terminating request.</summary>
public sealed class TerminationBillingTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    /// <summary>
    /// Customer "leaving" with a wallet of <paramref name="credits"/>, subscribed to a monthly plan (31,000 cents, 1 per
    /// call) from the start of next month, the clock at that start and 3 calls of usage.
    /// </summary>
    private async Task<(HttpClient Client, JsonNode Wallet, DateTimeOffset Month, JsonNode Subscription)> LeavingAsync(string credits)
    {
        var client = await api.NewOrganizationClientAsync();
        var metric = await client.SumMetricAsync("calls");
        var plan = await client.PlanAsync("monthly", 31_000, [Charge(metric, "1")]);
        await client.CustomerAsync("leaving");
        var wallet = await client.EuroWalletAsync("leaving", "main", credits);
        var month = api.ThisMonth().AddMonths(1);
        api.MoveClockTo(month);
        var subscription = await client.SubscribeAsync("leaving", "monthly", month);
        await api.UsageAsync(subscription, plan.ChargeId(), month, 3);
        return (client, wallet, month, subscription);
    }

    [Fact]
    public async Task Terminating_bills_the_days_used_and_the_usage_so_far_and_nothing_after()
    {
        var (client, wallet, month, subscription) = await LeavingAsync("200");

        // 9 days and 12 hours used: 10 started days of the month.
        api.MoveClockTo(month.AddDays(9).AddHours(12));
        var terminated = (await client.DeleteJsonAsync("/api/v1/subscriptions/leaving-monthly")).Ok()["subscription"]!;
        Assert.Equal("terminated", (string?)terminated["status"]);

        var invoice = Assert.Single(await client.InvoicesAsync("leaving"));
        var days = DateTime.DaysInMonth(month.Year, month.Month);
        var fee = invoice.Fee("subscription");
        var expected = (long)Math.Round(31_000m * 10 / days, MidpointRounding.AwayFromZero);
        Assert.Equal(expected, (long)fee["amount_cents"]!);
        Assert.Equal((BillingRunTests.Iso(month), (string)terminated["terminated_at"]!), ((string)fee["from_date"]!, (string)fee["to_date"]!));
        Assert.Equal(300, (long)invoice.Fee("charge")["amount_cents"]!);
        Assert.Equal(DateOnly.FromDateTime(month.AddDays(9).UtcDateTime).ToString("yyyy-MM-dd"), (string?)invoice["issuing_date"]);
        // Paid by the wallet, in the same transaction.
        Assert.Equal((expected + 300, 0L), ((long)invoice["prepaid_credit_amount_cents"]!, (long)invoice["total_amount_cents"]!));
        Assert.Equal(20_000 - expected - 300, await client.BalanceAsync(wallet.Id()));

        await api.BillAsync(month.AddMonths(2));
        Assert.Single(await client.InvoicesAsync("leaving"));
        await LedgerInvariants.AssertAsync(api);
    }

    [Fact]
    public async Task Terminating_a_pay_in_advance_subscription_bills_only_its_usage()
    {
        var client = await api.NewOrganizationClientAsync();
        var metric = await client.SumMetricAsync("calls");
        var plan = await client.PlanAsync("ahead", 3_000, [Charge(metric, "1")], payInAdvance: true);
        await client.CustomerAsync("ahead");
        var month = api.ThisMonth().AddMonths(1);
        api.MoveClockTo(month);
        var subscription = await client.SubscribeAsync("ahead", "ahead", month);
        await api.BillAsync(month.AddHours(1));
        Assert.Equal(3_000, (long)Assert.Single(await client.InvoicesAsync("ahead"))["total_amount_cents"]!);

        await api.UsageAsync(subscription, plan.ChargeId(), month, 4);
        api.MoveClockTo(month.AddDays(5));
        (await client.DeleteJsonAsync("/api/v1/subscriptions/ahead-ahead")).Ok();

        var invoices = await client.InvoicesAsync("ahead");
        Assert.Equal(2, invoices.Count);
        var last = Assert.Single(invoices[1]["fees"]!.AsArray())!;
        Assert.Equal(("charge", 400L), ((string)last["item"]!["type"]!, (long)last["amount_cents"]!));
    }

    [Fact]
    public async Task Periods_the_job_has_not_billed_yet_are_billed_on_termination_too()
    {
        var client = await api.NewOrganizationClientAsync();
        await client.PlanAsync("late", 6_000, []);
        await client.CustomerAsync("late");
        var month = api.ThisMonth().AddMonths(1);
        api.MoveClockTo(month);
        await client.SubscribeAsync("late", "late", month);

        // The job has not run since the subscription started; a month and a half later it is terminated.
        api.MoveClockTo(month.AddMonths(1).AddDays(14).AddHours(10));
        (await client.DeleteJsonAsync("/api/v1/subscriptions/late-late")).Ok();

        var invoices = await client.InvoicesAsync("late");
        Assert.Equal(2, invoices.Count);
        Assert.Equal(6_000, (long)invoices[0]["total_amount_cents"]!);
        var next = month.AddMonths(1);
        var days = DateTime.DaysInMonth(next.Year, next.Month);
        Assert.Equal((long)Math.Round(6_000m * 15 / days, MidpointRounding.AwayFromZero), (long)invoices[1]["total_amount_cents"]!);
        await api.BillAsync(next.AddMonths(1));
        Assert.Equal(2, (await client.InvoicesAsync("late")).Count);
    }

    [Fact]
    public async Task Deleting_a_plan_bills_the_final_period_of_its_subscriptions()
    {
        var client = await api.NewOrganizationClientAsync();
        await client.PlanAsync("doomed", 3_100, []);
        await client.CustomerAsync("doomed");
        var month = api.ThisMonth().AddMonths(1);
        api.MoveClockTo(month);
        await client.SubscribeAsync("doomed", "doomed", month);
        api.MoveClockTo(month.AddDays(2).AddHours(1));

        (await client.DeleteJsonAsync("/api/v1/plans/doomed")).Ok();
        var invoice = Assert.Single(await client.InvoicesAsync("doomed"));
        var days = DateTime.DaysInMonth(month.Year, month.Month);
        Assert.Equal((long)Math.Round(3_100m * 3 / days, MidpointRounding.AwayFromZero), (long)invoice["total_amount_cents"]!);
    }

    [Fact]
    public async Task Deleting_a_customer_terminates_and_bills_its_subscriptions_then_terminates_its_wallets_as_lago_does()
    {
        var (client, wallet, month, subscription) = await LeavingAsync("500");
        await client.SubscribeAsync("leaving", "monthly", month.AddMonths(2), externalId: "later");

        api.MoveClockTo(month.AddDays(9).AddHours(12));
        (await client.DeleteJsonAsync("/api/v1/customers/leaving")).Ok();

        // The active subscription is terminated and its period so far billed, paid by the wallet before it is terminated.
        Assert.Equal("canceled,terminated", await api.ScalarAsync<string>(
            "SELECT string_agg(status, ',' ORDER BY status) FROM subscriptions WHERE id = @s::uuid OR external_id = 'later'", ("s", subscription.Id())));
        var paid = await api.ScalarAsync<long>(
            "SELECT prepaid_credit_amount_cents FROM invoices WHERE customer_id = (SELECT customer_id FROM subscriptions WHERE id = @s::uuid)", ("s", subscription.Id()));
        var days = DateTime.DaysInMonth(month.Year, month.Month);
        Assert.Equal((long)Math.Round(31_000m * 10 / days, MidpointRounding.AwayFromZero) + 300, paid);
        // The wallet is terminated, and what was left of it voided.
        Assert.Equal(("terminated", 0L, 50_000 - paid), (await api.ScalarAsync<string>("SELECT status FROM wallets WHERE id = @w::uuid", ("w", wallet.Id())),
            await api.ScalarAsync<long>("SELECT balance_cents FROM wallets WHERE id = @w::uuid", ("w", wallet.Id())),
            await api.ScalarAsync<long>(
                "SELECT amount_cents FROM wallet_transactions WHERE wallet_id = @w::uuid AND transaction_type = 'outbound' AND transaction_status = 'voided'",
                ("w", wallet.Id()))));
        (await client.GetJsonAsync("/api/v1/customers/leaving")).ExpectNotFound("customer");
        await LedgerInvariants.AssertAsync(api);

        // Later events for it are stored and count for nothing.
        (await client.PostAsync("/api/v1/events", new { @event = new { transaction_id = "after", external_subscription_id = "leaving-monthly", code = "calls", properties = new { calls = 5 } } })).Ok();
        Assert.Equal((3m, true), (await api.ScalarAsync<decimal>("SELECT sum(units) FROM charge_usage WHERE subscription_id = @s::uuid", ("s", subscription.Id())),
            await api.ScalarAsync<bool>("SELECT subscription_id IS NULL FROM events WHERE transaction_id = 'after'")));
    }

    [Fact]
    public async Task An_event_racing_the_termination_is_either_on_its_invoice_or_not_counted_at_all()
    {
        var (client, _, month, subscription) = await LeavingAsync("100000");
        api.MoveClockTo(month.AddDays(3));
        using var stop = new CancellationTokenSource();
        var (attached, unattached) = (0, 0);
        async Task SendAsync(int sender)
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                var e = (await client.SendEventAsync(new
                {
                    transaction_id = $"race-{sender}-{i}", external_subscription_id = "leaving-monthly", code = "calls", properties = new { units = 1 },
                })).Ok()["event"]!;
                Interlocked.Increment(ref e["lago_subscription_id"] is null ? ref unattached : ref attached);
            }
        }
        var senders = Enumerable.Range(0, 8).Select(s => Task.Run(() => SendAsync(s))).ToList();
        await Task.Delay(300);
        (await client.DeleteJsonAsync("/api/v1/subscriptions/leaving-monthly")).Ok();
        await Task.Delay(200);
        await stop.CancelAsync();
        await Task.WhenAll(senders);

        // Events went both ways, and every one answered as attached to the subscription is billed: none counted after.
        Assert.True(attached > 0 && unattached > 0, $"{attached} attached, {unattached} not");
        var counted = await api.ScalarAsync<decimal>("SELECT sum(units) FROM charge_usage WHERE subscription_id = @s::uuid", ("s", subscription.Id()));
        var invoice = Assert.Single(await client.InvoicesAsync("leaving"));
        Assert.Equal((3m + attached, (3 + attached) * 100L), (counted, (long)invoice.Fee("charge")["amount_cents"]!));
    }

    /// <summary>
    /// <paramref name="count"/> customers "{prefix}-{tag}-{i}" (tag: fresh for the test), each with a wallet of 1,000 credits
    /// and <paramref name="subscriptions"/> subscriptions "{customer}-{n}" (n from 1) to a monthly plan (31,000 cents, 1 per
    /// call) from the start of next month; the clock at that start.
    /// </summary>
    private async Task<(HttpClient Client, string Tag, DateTimeOffset Month)> CustomersAsync(string prefix, int count, int subscriptions)
    {
        var client = await api.NewOrganizationClientAsync();
        var metric = await client.SumMetricAsync("calls");
        await client.PlanAsync("monthly", 31_000, [Charge(metric, "1")]);
        var month = api.ThisMonth().AddMonths(1);
        api.MoveClockTo(month);
        var tag = Guid.NewGuid().ToString("N")[..8];
        for (var i = 0; i < count; i++)
        {
            var customer = $"{prefix}-{tag}-{i}";
            await client.CustomerAsync(customer);
            await client.EuroWalletAsync(customer, "main", "1000");
            for (var n = 1; n <= subscriptions; n++) await client.SubscribeAsync(customer, "monthly", month, externalId: $"{customer}-{n}");
        }
        return (client, tag, month);
    }

    [Fact]
    public async Task Deleting_a_customer_while_one_of_its_subscriptions_is_terminated_bills_each_once_and_never_deadlocks()
    {
        var (client, tag, month) = await CustomersAsync("both", 8, subscriptions: 2);
        api.MoveClockTo(month.AddDays(4));

        var replies = await Task.WhenAll(Enumerable.Range(0, 8).Select(async i =>
        {
            var customer = Task.Run(() => client.DeleteJsonAsync($"/api/v1/customers/both-{tag}-{i}"));
            var subscription = Task.Run(() => client.DeleteJsonAsync($"/api/v1/subscriptions/both-{tag}-{i}-2"));
            return (Customer: await customer, Subscription: await subscription);
        }));

        Assert.All(replies, r => r.Customer.Ok());
        // The subscription's own termination came first, or found it terminated by the customer's.
        Assert.All(replies, r => Assert.Contains(r.Subscription.Status, new[] { HttpStatusCode.OK, HttpStatusCode.NotFound }));
        Assert.Equal((16L, 16L), (await api.ScalarAsync<long>(
            "SELECT count(*) FROM subscriptions s JOIN invoice_subscriptions i ON i.subscription_id = s.id WHERE s.external_id LIKE '%-' || @t || '-%' AND s.status = 'terminated'",
            ("t", tag)), await api.ScalarAsync<long>("SELECT count(*) FROM subscriptions WHERE external_id LIKE '%-' || @t || '-%'", ("t", tag))));
        await LedgerInvariants.AssertAsync(api);
    }

    [Fact]
    public async Task Deleting_customers_while_the_billing_job_bills_them_bills_each_period_once_and_never_deadlocks()
    {
        const int Customers = 16;
        var (client, tag, month) = await CustomersAsync("billed", Customers, subscriptions: 1);
        var next = month.AddMonths(1).AddHours(1);
        api.MoveClockTo(next);

        var billing = Task.Run(() => api.BillAsync(next));
        var deletions = await Task.WhenAll(Enumerable.Range(0, Customers).Select(i => Task.Run(() => client.DeleteJsonAsync($"/api/v1/customers/billed-{tag}-{i}"))));
        await billing;

        Assert.All(deletions, r => r.Ok());
        // Each subscription: its first month (by the job or by its termination) and the hour of the next, each once.
        Assert.Equal(2L * Customers, await api.ScalarAsync<long>(
            "SELECT count(*) FROM invoice_subscriptions i JOIN subscriptions s ON s.id = i.subscription_id WHERE s.external_id LIKE 'billed-' || @t || '-%'",
            ("t", tag)));
        await LedgerInvariants.AssertAsync(api);
    }

    [Fact]
    public async Task Deleting_a_plan_while_the_billing_job_bills_its_customers_other_subscriptions_never_deadlocks()
    {
        // Customer a: a subscription to the deleted plan that is not due yet (anniversary, from the 11th) and a due one to
        // another plan; customer b: a due one to the deleted plan. The job claims the two due ones and needs both customers;
        // the deletion needs a's customer lock and b's subscription. a's lock is held here until both are waiting for it.
        var client = await api.NewOrganizationClientAsync();
        var metric = await client.SumMetricAsync("calls");
        await client.PlanAsync("deleted", 31_000, [Charge(metric, "1")]);
        await client.PlanAsync("kept", 31_000, [Charge(metric, "1")]);
        var month = api.ThisMonth().AddMonths(1);
        api.MoveClockTo(month.AddDays(10));
        var tag = Guid.NewGuid().ToString("N")[..8];
        var (a, b) = ($"a-{tag}", $"b-{tag}");
        foreach (var customer in new[] { a, b })
        {
            await client.CustomerAsync(customer);
            await client.EuroWalletAsync(customer, "main", "1000");
        }
        // Created first, so a deletion taking its subscriptions in table order reaches it first.
        (await client.PostAsync("/api/v1/subscriptions", new
        {
            subscription = new
            {
                external_customer_id = a, plan_code = "deleted", external_id = $"{a}-deleted", billing_time = "anniversary",
                subscription_at = month.AddDays(10).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"),
            },
        })).Ok();
        await client.SubscribeAsync(b, "deleted", month);
        await client.SubscribeAsync(a, "kept", month);
        var next = month.AddMonths(1).AddHours(1);
        api.MoveClockTo(next);

        const string Deadlocks = "SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()";
        var deadlocks = await api.ScalarAsync<long>(Deadlocks);
        await using var holder = new NpgsqlConnection(api.ConnectionString);
        await holder.OpenAsync();
        await using var held = await holder.BeginTransactionAsync();
        await using (var hold = new NpgsqlCommand(
            "SELECT pg_advisory_xact_lock(hashtextextended(id::text, 0)) FROM customers WHERE external_id = @a", holder, held))
        {
            hold.Parameters.AddWithValue("a", a);
            await hold.ExecuteNonQueryAsync();
        }
        var deletion = Task.Run(() => client.DeleteJsonAsync("/api/v1/plans/deleted"));
        await LockWaitersAsync(1);
        var billing = Task.Run(() => api.BillAsync(next));
        await LockWaitersAsync(2);
        await held.CommitAsync();

        (await deletion).Ok();
        await billing;
        // Neither side was failed by PostgreSQL's deadlock detector (the job would have billed again alone, the deletion
        // answered 503).
        Assert.Equal(deadlocks, await api.ScalarAsync<long>(Deadlocks));
        // a's anniversary period so far; b's month (by the job or its termination) and the hour after; a's other month.
        foreach (var (subscription, invoices, status) in new[] { ($"{a}-deleted", 1L, "terminated"), ($"{b}-deleted", 2L, "terminated"), ($"{a}-kept", 1L, "active") })
        {
            Assert.Equal((invoices, status), (
                await api.ScalarAsync<long>("SELECT count(*) FROM invoice_subscriptions i JOIN subscriptions s ON s.id = i.subscription_id WHERE s.external_id = @s", ("s", subscription)),
                await api.ScalarAsync<string>("SELECT status FROM subscriptions WHERE external_id = @s", ("s", subscription))));
        }
        await LedgerInvariants.AssertAsync(api);
    }

    /// <summary>Waits until at least <paramref name="count"/> transactions of this database wait for an advisory lock.</summary>
    private async Task LockWaitersAsync(int count)
    {
        const string Waiting = """
            SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database
            WHERE d.datname = current_database() AND l.locktype = 'advisory' AND NOT l.granted
            """;
        for (var waited = 0; await api.ScalarAsync<long>(Waiting) < count; waited += 20)
        {
            if (waited > 30_000) throw new TimeoutException($"Fewer than {count} transactions waited for an advisory lock.");
            await Task.Delay(20);
        }
    }
}
