using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Wallets.Api.Jobs;
using Wallets.Api.Tests.Infrastructure;
using static Wallets.Api.Tests.Invoicing.InvoicingSetup;

namespace Wallets.Api.Tests.Invoicing;

/// <summary>
/// Everything at once on a few customers: top-ups, voids, purchases and their payments, events (targeted or not) and
/// batches, wallet updates, creations and terminations, balance and usage reads, subscription terminations, invoice
/// voids and billing runs, from parallel workers in a random (seeded) order. Whatever the interleaving: no answer is
/// a server error (a deadlock or a pool timeout would be a 500 or a 503), and the ledger adds up afterwards.
/// </summary>
public sealed class MixedConcurrencyTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private const int Customers = 3;
    private const int Workers = 8;
    private const int OperationsPerWorker = 60;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Any_mix_of_operations_in_parallel_keeps_the_ledger_whole_and_answers_no_server_error(int seed)
    {
        var client = await api.NewOrganizationClientAsync();
        var month = api.ThisMonth();
        var gb = await client.SumMetricAsync("gb");
        var charge = Charge(gb, "0.5");
        charge["accepts_target_wallet"] = true;
        await client.PlanAsync("mixed", 1_000, [charge]);
        var wallets = new List<(string Customer, string Id, string Code)>();
        for (var c = 0; c < Customers; c++)
        {
            await client.CustomerAsync($"c{c}");
            foreach (var code in new[] { "main", "promo" })
                wallets.Add(($"c{c}", (string)(await client.EuroWalletAsync($"c{c}", code, "50"))["lago_id"]!, code));
            // Started last month: its first period is due, so the billing runs below have work.
            await client.SubscribeAsync($"c{c}", "mixed", month.AddMonths(-1), $"s{c}");
        }

        var failures = new ConcurrentBag<string>();
        var unique = 0;
        async Task Check(string what, Task<Reply> call)
        {
            var reply = await call;
            if ((int)reply.Status >= 500) failures.Add($"{what} → {(int)reply.Status} {reply.Text}");
        }

        async Task WorkAsync(int worker)
        {
            var rng = new Random(seed * 100 + worker);
            for (var i = 0; i < OperationsPerWorker; i++)
            {
                (string Customer, string Id, string Code) picked;
                lock (wallets) picked = wallets[rng.Next(wallets.Count)];
                var (customer, walletId, code) = picked;
                var subscription = $"s{customer[1..]}";
                var n = Interlocked.Increment(ref unique);
                switch (rng.Next(14))
                {
                    case 0:
                        await Check("grant", client.PostAsync("/api/v1/wallet_transactions", new { wallet_transaction = new { wallet_id = walletId, granted_credits = "5" } }));
                        break;
                    case 1:
                        await Check("void", client.PostAsync("/api/v1/wallet_transactions", new { wallet_transaction = new { wallet_id = walletId, voided_credits = "1.5" } }));
                        break;
                    case 2:
                        var purchase = await client.PostAsync("/api/v1/wallet_transactions", new { wallet_transaction = new { wallet_id = walletId, paid_credits = "3" } });
                        if ((int)purchase.Status >= 500) failures.Add($"purchase → {(int)purchase.Status} {purchase.Text}");
                        else if (purchase.Status == HttpStatusCode.OK && (string?)purchase.Json!["wallet_transactions"]![0]!["lago_invoice_id"] is { } invoice)
                            await Check("payment", client.PutAsync($"/api/v1/invoices/{invoice}", new { invoice = new { payment_status = "succeeded" } }));
                        break;
                    case 3:
                        await Check("event", client.SendEventAsync(new
                        {
                            transaction_id = $"e{n}", external_subscription_id = subscription, code = "gb", properties = new { units = rng.Next(1, 20) },
                            target_wallet_code = rng.Next(2) == 0 ? code : null,
                        }));
                        break;
                    case 4:
                        await Check("batch", client.PostAsync("/api/v1/events/batch", new
                        {
                            events = Enumerable.Range(0, 5).Select(k => new { transaction_id = $"b{n}-{k}", external_subscription_id = $"s{rng.Next(Customers)}", code = "gb", properties = new { units = 2 } }),
                        }));
                        break;
                    case 5:
                        await Check("read", client.GetJsonAsync($"/api/v1/wallets/{walletId}"));
                        break;
                    case 6:
                        await Check("usage", client.GetJsonAsync($"/api/v1/customers/{customer}/current_usage?external_subscription_id={subscription}"));
                        break;
                    case 7:
                        await Check("update", client.PutAsync($"/api/v1/wallets/{walletId}", new { wallet = new { priority = rng.Next(1, 51) } }));
                        break;
                    case 8:
                        var created = await client.PostAsync("/api/v1/wallets", new
                        {
                            wallet = new { external_customer_id = customer, code = $"w{n}", rate_amount = "1", currency = "EUR", granted_credits = "10" },
                        });
                        if ((int)created.Status >= 500) failures.Add($"create → {(int)created.Status} {created.Text}");
                        else if (created.Status == HttpStatusCode.OK)
                            lock (wallets) wallets.Add((customer, (string)created.Json!["wallet"]!["lago_id"]!, $"w{n}"));
                        break;
                    case 9:
                        if (rng.Next(4) == 0) await Check("terminate wallet", client.DeleteJsonAsync($"/api/v1/wallets/{walletId}"));
                        break;
                    case 10:
                        await Check("list", client.GetJsonAsync($"/api/v1/wallets?external_customer_id={customer}"));
                        break;
                    case 11:
                        await api.Services.GetRequiredService<BillingJob>().RunOnceAsync(CancellationToken.None);
                        break;
                    case 12:
                        if (rng.Next(6) == 0)
                        {
                            await Check("terminate subscription", client.DeleteJsonAsync($"/api/v1/subscriptions/{subscription}"));
                            await Check("resubscribe", client.PostAsync("/api/v1/subscriptions", new { subscription = new { external_customer_id = customer, plan_code = "mixed", external_id = $"s{customer[1..]}" } }));
                        }
                        break;
                    case 13:
                        var invoices = (await client.GetJsonAsync($"/api/v1/customers/{customer}/invoices?invoice_type=subscription")).Ok()["invoices"]!.AsArray();
                        if (invoices.Count > 0 && rng.Next(3) == 0)
                            await Check("void invoice", client.PostAsync($"/api/v1/invoices/{(string)invoices[rng.Next(invoices.Count)]!["lago_id"]!}/void", new { }));
                        break;
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, Workers).Select(w => Task.Run(() => WorkAsync(w))));

        Assert.True(failures.IsEmpty, $"{failures.Count} server error(s):\n" + string.Join("\n", failures.Take(20)));
        await LedgerInvariants.AssertAsync(api);
        // Every invoice that took credits took exactly what its debits say.
        Assert.Equal(0L, await api.ScalarAsync<long>("""
            SELECT count(*) FROM invoices i
            WHERE i.prepaid_credit_amount_cents <> (SELECT COALESCE(sum(t.amount_cents), 0) FROM wallet_transactions t
                                                    WHERE t.invoice_id = i.id AND t.transaction_type = 'outbound')
              AND i.status <> 'voided'
            """));
    }
}
