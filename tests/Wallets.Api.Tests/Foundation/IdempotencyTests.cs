using System.Net;
using Wallets.Api.Tests.Infrastructure;
using Wallets.Api.Tests.Invoicing;

namespace Wallets.Api.Tests.Foundation;

public sealed class IdempotencyTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private static object Grant(string walletId, string credits) => new { wallet_transaction = new { wallet_id = walletId, granted_credits = credits } };

    [Fact]
    public async Task A_retry_with_the_same_key_replays_the_stored_response_and_changes_nothing()
    {
        var client = await api.NewOrganizationClientAsync();
        var wallet = await client.WalletAsync("idem");
        var first = await client.SendJsonAsync(HttpMethod.Post, "/api/v1/wallet_transactions", Grant(wallet.Id(), "7"), "key-1");
        var second = await client.SendJsonAsync(HttpMethod.Post, "/api/v1/wallet_transactions", Grant(wallet.Id(), "7"), "key-1");

        Assert.Equal(first.Ok().ToJsonString(), second.Ok().ToJsonString());
        Assert.False(first.Message.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal("true", second.Message.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(700, (long)(await client.GetWalletAsync(wallet.Id()))["balance_cents"]!);
    }

    [Fact]
    public async Task The_same_key_with_another_body_is_a_422_and_changes_nothing()
    {
        var client = await api.NewOrganizationClientAsync();
        var wallet = await client.WalletAsync("idem-other");
        (await client.SendJsonAsync(HttpMethod.Post, "/api/v1/wallet_transactions", Grant(wallet.Id(), "7"), "key-2")).Ok();
        (await client.SendJsonAsync(HttpMethod.Post, "/api/v1/wallet_transactions", Grant(wallet.Id(), "8"), "key-2"))
            .ExpectValidation("idempotency_key", "key_reused_with_different_request");
        Assert.Equal(700, (long)(await client.GetWalletAsync(wallet.Id()))["balance_cents"]!);
    }

    [Fact]
    public async Task Concurrent_duplicates_apply_once_and_the_others_are_409_or_replays()
    {
        var client = await api.NewOrganizationClientAsync();
        var wallet = await client.WalletAsync("idem-race");
        var replies = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ =>
            client.SendJsonAsync(HttpMethod.Post, "/api/v1/wallet_transactions", Grant(wallet.Id(), "3"), "key-3")));

        Assert.All(replies, r => Assert.True(r.Status is HttpStatusCode.OK or HttpStatusCode.Conflict, r.Text));
        Assert.Equal(1, replies.Count(r => r.Status == HttpStatusCode.OK && !r.Message.Headers.Contains("Idempotent-Replayed")));
        Assert.All(replies.Where(r => r.Status == HttpStatusCode.Conflict),
            r => Assert.Equal("""{"status":409,"error":"Conflict","code":"idempotency_key_in_use"}""", r.Json!.ToJsonString()));
        Assert.Equal(300, (long)(await client.GetWalletAsync(wallet.Id()))["balance_cents"]!);
    }

    [Fact]
    public async Task A_failed_request_is_not_remembered_so_a_corrected_retry_runs()
    {
        var client = await api.NewOrganizationClientAsync();
        var wallet = await client.WalletAsync("idem-fail");
        (await client.SendJsonAsync(HttpMethod.Post, "/api/v1/wallet_transactions",
            new { wallet_transaction = new { wallet_id = wallet.Id(), voided_credits = "5" } }, "key-4")).ExpectValidation("voided_credits", "insufficient_credits");
        Assert.Equal(0L, await api.ScalarAsync<long>("SELECT count(*) FROM idempotency_keys WHERE key = 'key-4'"));
        (await client.SendJsonAsync(HttpMethod.Post, "/api/v1/wallet_transactions", Grant(wallet.Id(), "5"), "key-4")).Ok();
    }

    [Fact]
    public async Task Keys_belong_to_one_organization_and_work_on_every_write()
    {
        var mine = await api.NewOrganizationClientAsync();
        var theirs = await api.NewOrganizationClientAsync();
        var a = await mine.SendJsonAsync(HttpMethod.Post, "/api/v1/customers", new { customer = new { external_id = "same" } }, "shared-key");
        var b = await theirs.SendJsonAsync(HttpMethod.Post, "/api/v1/customers", new { customer = new { external_id = "same" } }, "shared-key");
        Assert.NotEqual((string?)a.Ok()["customer"]!["lago_id"], (string?)b.Ok()["customer"]!["lago_id"]);
        Assert.False(b.Message.Headers.Contains("Idempotent-Replayed"));

        var wallet = await mine.WalletAsync("deleting");
        var d1 = await mine.SendJsonAsync(HttpMethod.Delete, $"/api/v1/wallets/{wallet.Id()}", "", "del-key");
        var d2 = await mine.SendJsonAsync(HttpMethod.Delete, $"/api/v1/wallets/{wallet.Id()}", "", "del-key");
        Assert.Equal(d1.Ok().ToJsonString(), d2.Ok().ToJsonString());
    }

    [Fact]
    public async Task An_overlong_key_is_a_422()
    {
        var client = await api.NewOrganizationClientAsync();
        (await client.SendJsonAsync(HttpMethod.Post, "/api/v1/customers", new { customer = new { external_id = "x" } }, new string('k', 256)))
            .ExpectValidation("idempotency_key", "value_is_too_long");
    }

    [Fact]
    public async Task Deleting_a_plan_or_a_metric_with_a_key_deletes_once_and_a_retry_replays()
    {
        var client = await api.NewOrganizationClientAsync();
        await client.SumMetricAsync("idem-units");
        await client.PlanAsync("idem-plan", 1_000, []);

        foreach (var path in new[] { "/api/v1/plans/idem-plan", "/api/v1/billable_metrics/idem-units" })
        {
            var first = await client.SendAsync(new HttpRequestMessage(HttpMethod.Delete, path) { Headers = { { "Idempotency-Key", $"delete {path}" } } });
            var retry = await client.SendAsync(new HttpRequestMessage(HttpMethod.Delete, path) { Headers = { { "Idempotency-Key", $"delete {path}" } } });
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
            Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
            Assert.Equal("true", retry.Headers.GetValues("Idempotent-Replayed").Single());
            Assert.Equal(HttpStatusCode.NotFound, (await client.GetJsonAsync(path)).Status);
        }
    }
}
