using Wallets.Api.Tests.Infrastructure;

namespace Wallets.Api.Tests.WalletTransactions;

/// <summary>Every refusal of a void (pool-wide or of one grant), and requests that must be all-or-nothing.</summary>
public sealed class WalletTransactionVoidValidationTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task A_void_beyond_the_balance_is_insufficient_credits()
    {
        var client = await api.NewOrganizationClientAsync();
        var id = await client.CustomerWithWalletAsync("pool", ("granted_credits", "10"));
        await client.PurchaseAsync(id, "50"); // pending: not part of the balance
        (await api.UnchangedAsync(() => client.TopUpAsync(id, ("voided_credits", "10.01")))).ExpectLagoValidation("voided_credits", "insufficient_credits");
        (await api.UnchangedAsync(() => client.TopUpAsync(id, ("voided_credits", "60")))).ExpectLagoValidation("voided_credits", "insufficient_credits");
        Assert.Equal(1000L, await api.BalanceCentsAsync(id));
    }

    [Fact]
    public async Task A_void_of_a_transaction_that_is_not_an_inbound_of_this_wallet_is_wallet_transaction_not_found()
    {
        var client = await api.NewOrganizationClientAsync();
        var id = await client.CustomerWithWalletAsync("target", ("code", "a"), ("granted_credits", "10"));
        var outbound = await client.VoidAsync(id, "1");
        var other = (string)(await client.NewWalletAsync("target", ("code", "b")))["lago_id"]!;
        var othersGrant = await client.GrantAsync(other, "10");
        var theirs = await api.NewOrganizationClientAsync("theirs");
        var theirGrant = await theirs.GrantAsync(await theirs.CustomerWithWalletAsync("target"), "10");

        foreach (var target in new[] { "0193e0c4-0000-7000-8000-000000000000", "not-a-uuid", outbound, othersGrant, theirGrant })
        {
            (await api.UnchangedAsync(() => client.TopUpAsync(id, ("voided_transaction_id", target))))
                .ExpectLagoValidation("voided_transaction_id", "wallet_transaction_not_found");
            (await api.UnchangedAsync(() => client.TopUpAsync(id, ("voided_transaction_id", target), ("voided_credits", "1"))))
                .ExpectLagoValidation("voided_transaction_id", "wallet_transaction_not_found");
        }
        Assert.Equal(900L, await api.BalanceCentsAsync(id));
        Assert.Equal(1000L, await api.BalanceCentsAsync(other));
    }

    [Fact]
    public async Task A_void_of_a_grant_with_nothing_left_is_no_remaining_amount()
    {
        var client = await api.NewOrganizationClientAsync();
        var id = await client.CustomerWithWalletAsync("spent");
        var spent = await client.GrantAsync(id, "10");
        await client.VoidAsync(id, "10");
        var kept = await client.GrantAsync(id, "5");

        (await api.UnchangedAsync(() => client.TopUpAsync(id, ("voided_transaction_id", spent))))
            .ExpectLagoValidation("voided_transaction_id", "no_remaining_amount");
        (await api.UnchangedAsync(() => client.TopUpAsync(id, ("voided_transaction_id", spent), ("voided_credits", "1"))))
            .ExpectLagoValidation("voided_transaction_id", "no_remaining_amount");
        Assert.Equal(500L, await api.BalanceCentsAsync(id));
        Assert.Equal(500L, await api.ScalarAsync<long>("SELECT remaining_amount_cents FROM wallet_transactions WHERE id = @id", ("id", Guid.Parse(kept))));
    }

    [Fact]
    public async Task A_void_of_a_purchase_not_yet_paid_or_failed_is_no_remaining_amount()
    {
        var client = await api.NewOrganizationClientAsync();
        var id = await client.CustomerWithWalletAsync("unpaid", ("granted_credits", "10"));
        var (pending, _) = await client.PurchaseAsync(id, "20");
        var (failed, invoice) = await client.PurchaseAsync(id, "20");
        (await client.PutAsync($"/api/v1/invoices/{invoice}", new { invoice = new { payment_status = "failed" } })).Ok();

        foreach (var target in new[] { pending, failed })
        {
            (await api.UnchangedAsync(() => client.TopUpAsync(id, ("voided_transaction_id", target))))
                .ExpectLagoValidation("voided_transaction_id", "no_remaining_amount");
            (await api.UnchangedAsync(() => client.TopUpAsync(id, ("voided_transaction_id", target), ("voided_credits", "5"))))
                .ExpectLagoValidation("voided_transaction_id", "no_remaining_amount");
        }
        Assert.Equal(1000L, await api.BalanceCentsAsync(id));
    }

    [Fact]
    public async Task A_targeted_void_beyond_what_the_grant_has_left_is_refused_even_when_the_wallet_holds_enough()
    {
        var client = await api.NewOrganizationClientAsync();
        var id = await client.CustomerWithWalletAsync("partial");
        var grant = await client.GrantAsync(id, "10");
        await client.GrantAsync(id, "100");
        (await client.TopUpAsync(id, ("voided_transaction_id", grant), ("voided_credits", "4")))
            .Ok(); // 6 credits left on the grant, 106 in the wallet

        (await api.UnchangedAsync(() => client.TopUpAsync(id, ("voided_transaction_id", grant), ("voided_credits", "6.01"))))
            .ExpectLagoValidation("amount_cents", "exceeds_remaining_transaction_amount");
        Assert.Equal(10600L, await api.BalanceCentsAsync(id));
        Assert.Equal(600L, await api.ScalarAsync<long>("SELECT remaining_amount_cents FROM wallet_transactions WHERE id = @id", ("id", Guid.Parse(grant))));
    }

    [Fact]
    public async Task A_request_whose_void_fails_writes_neither_its_purchase_nor_its_grant()
    {
        var client = await api.NewOrganizationClientAsync();
        var id = await client.CustomerWithWalletAsync("atomic", ("granted_credits", "10"));
        var grant = (string)(await client.GetJsonAsync($"/api/v1/wallets/{id}/wallet_transactions")).Ok()["wallet_transactions"]![0]!["lago_id"]!;
        (string, object?)[] paidAndGranted = [("paid_credits", "20"), ("granted_credits", "30")];

        // Pool-wide: the void is measured against the balance before this request's grant.
        (await api.UnchangedAsync(() => client.TopUpAsync(id, [.. paidAndGranted, ("voided_credits", "15")])))
            .ExpectLagoValidation("voided_credits", "insufficient_credits");
        // Targeted: refused only once the purchase and the grant have been written, so they must be rolled back.
        (await api.UnchangedAsync(() => client.TopUpAsync(id, [.. paidAndGranted, ("voided_transaction_id", grant), ("voided_credits", "10.01")])))
            .ExpectLagoValidation("amount_cents", "exceeds_remaining_transaction_amount");
        (await api.UnchangedAsync(() => client.TopUpAsync(id, [.. paidAndGranted, ("voided_transaction_id", "0193e0c4-0000-7000-8000-000000000000")])))
            .ExpectLagoValidation("voided_transaction_id", "wallet_transaction_not_found");
        (await api.UnchangedAsync(() => client.TopUpAsync(id, [.. paidAndGranted, ("voided_credits", "abc")])))
            .ExpectLagoValidation("voided_credits", "invalid_voided_credits", "invalid_amount");

        // Also when an Idempotency-Key wraps the request in its own transaction: nothing written, no response stored.
        (await api.UnchangedAsync(() => client.SendJsonAsync(HttpMethod.Post, "/api/v1/wallet_transactions", new
        {
            wallet_transaction = new { wallet_id = id, paid_credits = "20", granted_credits = "30", voided_transaction_id = grant, voided_credits = "10.01" },
        }, idempotencyKey: "atomic-1"))).ExpectLagoValidation("amount_cents", "exceeds_remaining_transaction_amount");

        Assert.Equal(1000L, await api.BalanceCentsAsync(id));
        Assert.Equal(0L, await api.ScalarAsync<long>("SELECT count(*) FROM invoices"));
        Assert.Equal(1L, await api.ScalarAsync<long>("SELECT count(*) FROM wallet_transactions WHERE wallet_id = @id", ("id", Guid.Parse(id))));

        // The same request with a void that fits goes through whole.
        var created = (await client.TopUpAsync(id, [.. paidAndGranted, ("voided_transaction_id", grant), ("voided_credits", "10")])).Ok()["wallet_transactions"]!;
        Assert.Equal(3, created.AsArray().Count);
        Assert.Equal(3000L, await api.BalanceCentsAsync(id));
    }
}
