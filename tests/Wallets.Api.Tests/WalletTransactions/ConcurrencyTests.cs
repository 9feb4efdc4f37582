using System.Net;
using Wallets.Api.Tests.Infrastructure;

namespace Wallets.Api.Tests.WalletTransactions;

/// <summary>Real parallel HTTP requests against one wallet: the ledger ends where a serial run would, never overdrawn.</summary>
public sealed class ConcurrencyTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Fifty_parallel_voids_on_one_wallet_never_overdraw_and_the_surplus_is_refused()
    {
        var client = await api.NewOrganizationClientAsync();
        var wallet = await client.WalletAsync("hot", new { granted_credits = "20" });
        await client.TransactAsync(wallet.Id(), new { granted_credits = "15", priority = 5 });
        await client.TransactAsync(wallet.Id(), new { granted_credits = "10", priority = 40 });

        var replies = await Parallel(50, _ => client.PostAsync("/api/v1/wallet_transactions",
            new { wallet_transaction = new { wallet_id = wallet.Id(), voided_credits = "1" } }));

        Assert.DoesNotContain(replies, r => (int)r.Status >= 500);
        Assert.Equal(45, replies.Count(r => r.Status == HttpStatusCode.OK));
        Assert.All(replies.Where(r => r.Status != HttpStatusCode.OK), r => r.ExpectValidation("voided_credits", "insufficient_credits"));
        Assert.Equal(0, (long)(await client.GetWalletAsync(wallet.Id()))["balance_cents"]!);
        Assert.Equal(45L, await api.ScalarAsync<long>("SELECT count(*) FROM wallet_transactions WHERE transaction_status = 'voided' AND wallet_id = @w",
            ("w", Guid.Parse(wallet.Id()))));
        await LedgerInvariants.AssertAsync(api);
    }

    [Fact]
    public async Task Parallel_voids_leave_each_grant_exactly_where_a_serial_run_would()
    {
        var client = await api.NewOrganizationClientAsync();
        var wallet = await client.WalletAsync("serial", new { granted_credits = "30" });
        await client.TransactAsync(wallet.Id(), new { granted_credits = "25", priority = 10 });
        await client.TransactAsync(wallet.Id(), new { granted_credits = "40", priority = 50 });

        var replies = await Parallel(60, _ => client.PostAsync("/api/v1/wallet_transactions",
            new { wallet_transaction = new { wallet_id = wallet.Id(), voided_credits = "0.75" } }));
        Assert.All(replies, r => r.Ok());

        // Serially, 45 credits come out of the priority-10 grant (25) first, then the oldest priority-50 grant (20 of 30).
        var remaining = await api.ScalarAsync<string>("""
            SELECT string_agg(remaining_amount_cents::text, ',' ORDER BY priority, created_at)
            FROM wallet_transactions WHERE wallet_id = @w AND transaction_type = 'inbound'
            """, ("w", Guid.Parse(wallet.Id())));
        Assert.Equal("0,1000,4000", remaining);
        Assert.Equal("50.0", (string?)(await client.GetWalletAsync(wallet.Id()))["credits_balance"]);
        await LedgerInvariants.AssertAsync(api);
    }

    [Fact]
    public async Task Grants_and_voids_racing_on_one_customers_wallets_keep_every_invariant()
    {
        var client = await api.NewOrganizationClientAsync();
        var a = await client.WalletAsync("mixed", new { name = "A", granted_credits = "5" });
        var b = (await client.PostAsync("/api/v1/wallets", new { wallet = new { external_customer_id = "mixed", name = "B", rate_amount = "1", currency = "USD", granted_credits = "5" } })).Ok()["wallet"]!;

        var replies = await Parallel(60, i => client.PostAsync("/api/v1/wallet_transactions", new
        {
            wallet_transaction = (i % 3) switch
            {
                0 => (object)new { wallet_id = a.Id(), granted_credits = "1" },
                1 => new { wallet_id = a.Id(), voided_credits = "1" },
                _ => new { wallet_id = b.Id(), voided_credits = "0.5" },
            },
        }));

        Assert.DoesNotContain(replies, r => (int)r.Status >= 500);
        Assert.All(replies.Where(r => r.Status != HttpStatusCode.OK), r => r.ExpectValidation("voided_credits", "insufficient_credits"));
        var balanceA = (long)(await client.GetWalletAsync(a.Id()))["balance_cents"]!;
        var granted = await api.ScalarAsync<long>("SELECT sum(amount_cents)::bigint FROM wallet_transactions WHERE wallet_id = @w AND transaction_type = 'inbound'", ("w", Guid.Parse(a.Id())));
        var voided = await api.ScalarAsync<long>("SELECT COALESCE(sum(amount_cents), 0)::bigint FROM wallet_transactions WHERE wallet_id = @w AND transaction_type = 'outbound'", ("w", Guid.Parse(a.Id())));
        Assert.Equal(granted - voided, balanceA);
        Assert.Equal(0, (long)(await client.GetWalletAsync(b.Id()))["balance_cents"]!);
        await LedgerInvariants.AssertAsync(api);
    }

    [Fact]
    public async Task Requests_on_many_customers_at_once_each_get_their_own_outcome_and_refusals_change_nothing()
    {
        var client = await api.NewOrganizationClientAsync();
        var stranger = await api.NewOrganizationClientAsync();
        var wallets = new List<(string Wallet, string Early, string Late)>();
        for (var i = 0; i < 6; i++)
        {
            // Voids from the whole wallet take the priority-1 grant first; the targeted ones only ever touch the later one.
            var wallet = await client.WalletAsync($"many-{i}");
            var early = (await client.TransactAsync(wallet.Id(), new { granted_credits = "10", priority = 1 })).Single()!.Id();
            var late = (await client.TransactAsync(wallet.Id(), new { granted_credits = "5" })).Single()!.Id();
            wallets.Add((wallet.Id(), early, late));
        }

        var sends = wallets.SelectMany((w, i) => new Func<Task<Reply>>[]
        {
            () => Send(client, new { wallet_id = w.Wallet, voided_credits = "2" }),
            () => Send(client, new { wallet_id = w.Wallet, voided_credits = "2" }),
            () => Send(client, new { wallet_id = w.Wallet, voided_credits = "2" }),
            () => Send(client, new { wallet_id = w.Wallet, voided_credits = "2" }),
            () => Send(client, new { wallet_id = w.Wallet, voided_transaction_id = w.Late, voided_credits = "1" }),
            () => Send(client, new { wallet_id = w.Wallet, voided_transaction_id = w.Late, voided_credits = "1" }),
            () => Send(client, new { wallet_id = w.Wallet, granted_credits = "1" }),
            () => Send(client, new { wallet_id = w.Wallet, granted_credits = "1" }),
            () => Send(client, new { wallet_id = w.Wallet, voided_credits = "100" }),
            () => Send(client, new { wallet_id = w.Wallet, granted_credits = "1", voided_credits = "100" }),
            () => Send(client, new { wallet_id = w.Wallet, voided_transaction_id = wallets[(i + 1) % wallets.Count].Late }),
            () => Send(stranger, new { wallet_id = w.Wallet, voided_credits = "1" }),
        }).ToList();
        var replies = await Parallel(sends.Count, i => sends[i]());

        Assert.DoesNotContain(replies, r => (int)r.Status >= 500);
        for (var w = 0; w < wallets.Count; w++)
        {
            var mine = replies.Skip(12 * w).Take(12).ToArray();
            Assert.All(mine[..8], r => r.Ok());
            mine[8].ExpectValidation("voided_credits", "insufficient_credits");
            mine[9].ExpectValidation("voided_credits", "insufficient_credits");
            mine[10].ExpectValidation("voided_transaction_id", "wallet_transaction_not_found");
            mine[11].ExpectValidation("wallet_id", "wallet_not_found");
            // 15 + 2 granted, 8 voided from the priority-1 grant, 2 from the later one.
            Assert.Equal(700, (long)(await client.GetWalletAsync(wallets[w].Wallet))["balance_cents"]!);
            Assert.Equal("10.0", (string?)(await client.GetWalletAsync(wallets[w].Wallet))["consumed_credits"]);
            Assert.Equal(300L, await api.ScalarAsync<long>("SELECT remaining_amount_cents FROM wallet_transactions WHERE id = @id", ("id", Guid.Parse(wallets[w].Late))));
        }
        await LedgerInvariants.AssertAsync(api);
    }

    private static Task<Reply> Send(HttpClient client, object transaction) =>
        client.PostAsync("/api/v1/wallet_transactions", new { wallet_transaction = transaction });

    [Fact]
    public async Task Duplicate_payment_notifications_at_the_same_moment_settle_the_purchase_once()
    {
        var client = await api.NewOrganizationClientAsync();
        var wallet = await client.WalletAsync("webhook");
        var purchase = (await client.TransactAsync(wallet.Id(), new { paid_credits = "12" })).Single()!;
        var invoice = (string)purchase["lago_invoice_id"]!;

        var replies = await Parallel(12, _ => client.PutAsync($"/api/v1/invoices/{invoice}", new { invoice = new { payment_status = "succeeded" } }));

        Assert.All(replies, r => r.Ok());
        Assert.Equal(1200, (long)(await client.GetWalletAsync(wallet.Id()))["balance_cents"]!);
        Assert.Equal(1200L, await api.ScalarAsync<long>("SELECT remaining_amount_cents FROM wallet_transactions WHERE id = @id", ("id", Guid.Parse(purchase.Id()))));
        await LedgerInvariants.AssertAsync(api);
    }

    private static async Task<Reply[]> Parallel(int count, Func<int, Task<Reply>> send)
    {
        using var start = new SemaphoreSlim(0);
        var tasks = Enumerable.Range(0, count).Select(async i => { await start.WaitAsync(); return await send(i); }).ToArray();
        start.Release(count);
        return await Task.WhenAll(tasks);
    }
}
