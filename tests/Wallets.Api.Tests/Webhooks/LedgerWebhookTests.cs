using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Wallets.Api.Data;
using Wallets.Api.Features.Organizations;
using Wallets.Api.Ledger;
using Wallets.Api.Tests.Infrastructure;
using Wallets.Api.Tests.Invoicing;

namespace Wallets.Api.Tests.Webhooks;

/// <summary>
/// The ledger's webhooks (`wallet_transaction.*`), written by the ledger's writer in the transaction of the rows they
/// report: exactly one outbox row per created or updated transaction and subscribed endpoint, none for what is refused.
/// </summary>
public sealed class LedgerWebhookTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Each_grant_and_void_sends_wallet_transaction_created_with_the_object_the_API_returned()
    {
        var (client, organization) = await OrganizationAsync(subscribed: true);
        var wallet = await client.CustomerWithWalletAsync("grants");
        var grant = (await Tick(client.TopUpAsync(wallet, ("granted_credits", "10")))).Ok()["wallet_transactions"]![0]!;
        var both = (await client.TopUpAsync(wallet, ("granted_credits", "5"), ("voided_credits", "3"))).Ok()["wallet_transactions"]!.AsArray();

        var sent = await WebhooksAsync(organization);
        Assert.Equal(3, sent.Count);
        Assert.All(sent, w => Assert.Equal(("wallet_transaction.created", "wallet_transaction", organization.ToString()),
            ((string)w["webhook_type"]!, (string)w["object_type"]!, (string)w["organization_id"]!)));
        Assert.True(JsonNode.DeepEquals(grant, sent[0]["wallet_transaction"]), sent[0].ToJsonString());
        Assert.True(JsonNode.DeepEquals(both[0], sent[1]["wallet_transaction"]), sent[1].ToJsonString());
        Assert.True(JsonNode.DeepEquals(both[1], sent[2]["wallet_transaction"]), sent[2].ToJsonString());
    }

    [Fact]
    public async Task A_refused_void_and_an_organization_without_a_subscribed_endpoint_get_no_webhook()
    {
        var (client, organization) = await OrganizationAsync(subscribed: true);
        var wallet = await client.CustomerWithWalletAsync("refused");
        await client.GrantAsync(wallet, "10");
        (await client.TopUpAsync(wallet, ("voided_credits", "11"))).ExpectValidation("voided_credits", "insufficient_credits");
        (await client.TopUpAsync(wallet, ("granted_credits", "1"), ("voided_credits", "12"))).ExpectValidation("voided_credits", "insufficient_credits");
        Assert.Single(await WebhooksAsync(organization));

        var (other, otherOrganization) = await OrganizationAsync(subscribed: false);
        var otherWallet = await other.CustomerWithWalletAsync("unsubscribed");
        await other.GrantAsync(otherWallet, "10");
        await other.VoidAsync(otherWallet, "1");
        Assert.Empty(await WebhooksAsync(otherOrganization));
    }

    [Fact]
    public async Task A_purchase_is_created_then_updated_when_paid_and_a_failed_payment_also_sends_payment_failure()
    {
        var (client, organization) = await OrganizationAsync(subscribed: true);
        var wallet = await client.CustomerWithWalletAsync("purchases");
        var (paid, paidInvoice) = await Tick(client.PurchaseAsync(wallet, "10"));
        var (failed, failedInvoice) = await Tick(client.PurchaseAsync(wallet, "20"));
        (await Tick(client.PutAsync($"/api/v1/invoices/{paidInvoice}", new { invoice = new { payment_status = "succeeded" } }))).Ok();
        (await client.PutAsync($"/api/v1/invoices/{failedInvoice}", new { invoice = new { payment_status = "failed" } })).Ok();
        // Repeating a payment status changes nothing, and sends nothing.
        (await client.PutAsync($"/api/v1/invoices/{paidInvoice}", new { invoice = new { payment_status = "succeeded" } })).Ok();

        var sent = await WebhooksAsync(organization);
        Assert.Equal(["wallet_transaction.created", "wallet_transaction.created", "wallet_transaction.updated",
            "wallet_transaction.payment_failure", "wallet_transaction.updated"], sent.Select(w => (string)w["webhook_type"]!));
        Assert.Equal((paid, "pending", paidInvoice), ((string)sent[0]["wallet_transaction"]!["lago_id"]!,
            (string)sent[0]["wallet_transaction"]!["status"]!, (string)sent[0]["wallet_transaction"]!["lago_invoice_id"]!));
        var settled = (await client.GetJsonAsync($"/api/v1/wallet_transactions/{paid}")).Ok()["wallet_transaction"];
        Assert.True(JsonNode.DeepEquals(settled, sent[2]["wallet_transaction"]), sent[2].ToJsonString());
        Assert.Equal("payment_provider_wallet_transaction_payment_error", (string)sent[3]["object_type"]!);
        var error = sent[3]["payment_provider_wallet_transaction_payment_error"]!;
        Assert.Equal((failed, "purchases"), ((string)error["lago_wallet_transaction_id"]!, (string)error["external_customer_id"]!));
        Assert.Equal((failed, "failed"), ((string)sent[4]["wallet_transaction"]!["lago_id"]!, (string)sent[4]["wallet_transaction"]!["status"]!));
    }

    [Fact]
    public async Task An_idempotent_replay_sends_no_second_webhook_and_termination_reports_its_void()
    {
        var (client, organization) = await OrganizationAsync(subscribed: true);
        var wallet = await client.CustomerWithWalletAsync("replay");
        var body = new { wallet_transaction = new { wallet_id = wallet, granted_credits = "7" } };
        (await Tick(client.SendJsonAsync(HttpMethod.Post, "/api/v1/wallet_transactions", body, "grant-once"))).Ok();
        (await Tick(client.SendJsonAsync(HttpMethod.Post, "/api/v1/wallet_transactions", body, "grant-once"))).Ok();
        Assert.Single(await WebhooksAsync(organization));

        (await client.DeleteJsonAsync($"/api/v1/wallets/{wallet}")).Ok();
        var sent = await WebhooksAsync(organization);
        Assert.Equal(2, sent.Count);
        Assert.Equal(("voided", "outbound", "7.0"), ((string)sent[1]["wallet_transaction"]!["transaction_status"]!,
            (string)sent[1]["wallet_transaction"]!["transaction_type"]!, (string)sent[1]["wallet_transaction"]!["credit_amount"]!));
    }

    [Fact]
    public async Task Invoice_debits_and_the_regrants_of_a_voided_invoice_each_send_wallet_transaction_created()
    {
        var (client, organization) = await OrganizationAsync(subscribed: true);
        await client.PlanAsync("plan", 1_500, []);
        await InvoicingSetup.CustomerAsync(client, "billed");
        await Tick(client.EuroWalletAsync("billed", "first", "10", priority: 1));
        await Tick(client.EuroWalletAsync("billed", "second", "10", priority: 2));
        var month = api.ThisMonth();
        await client.SubscribeAsync("billed", "plan", month);
        await Tick(api.BillAsync(month.AddMonths(1).AddHours(1)));
        var invoice = Assert.Single(await client.InvoicesAsync("billed")).Id();
        (await client.PostAsync($"/api/v1/invoices/{invoice}/void", new { })).Ok();

        var sent = (await WebhooksAsync(organization)).Select(w => w["wallet_transaction"]!).ToList();
        Assert.Equal([("granted", null, null), ("granted", null, null), ("invoiced", invoice, null), ("invoiced", invoice, null),
                ("granted", null, invoice), ("granted", null, invoice)],
            sent.Select(t => ((string)t["transaction_status"]!, (string?)t["lago_invoice_id"], (string?)t["lago_voided_invoice_id"])));
        Assert.Equal([1_000L, 500L, 1_000L, 500L], sent.Skip(2).Select(t => (long)(decimal.Parse((string)t["amount"]!, System.Globalization.CultureInfo.InvariantCulture) * 100)));
    }

    [Fact]
    public async Task In_a_group_commit_a_refused_member_writes_no_webhook_and_the_others_write_theirs()
    {
        var (client, organization) = await OrganizationAsync(subscribed: true);
        var first = await client.CustomerWithWalletAsync("batch-a");
        var second = await client.CustomerWithWalletAsync("batch-b");
        await using var connection = new NpgsqlConnection(api.ConnectionString);
        await connection.OpenAsync();
        var session = LedgerSession.Begin(connection);
        GrantOrVoid Request(string wallet, string? granted, string? voided) =>
            new(organization, Guid.Parse(wallet), granted, voided, null, null, null, null, null);
        var results = await GrantsAndVoids.PlanAsync(session,
            [Request(first, "10", null), Request(second, null, "1"), Request(first, null, "3")], api.Clock.GetUtcNow(), default);
        await session.CommitAsync(api.Clock.GetUtcNow(), default);

        Assert.Equal([true, false, true], results.Select(r => r.IsOk));
        var written = results.Where(r => r.IsOk).SelectMany(r => r.Value!).Select(t => t.Id.ToString()).ToList();
        var sent = await WebhooksAsync(organization);
        Assert.Equal(written, sent.Select(w => (string)w["wallet_transaction"]!["lago_id"]!));
        Assert.Equal(2, written.Count);
        // The third void took from the first request's grant, written with what the batch left in it.
        Assert.Equal(700L, await api.ScalarAsync<long>($"SELECT remaining_amount_cents FROM wallet_transactions WHERE id = '{written[0]}'"));
        Assert.Equal(700L, await api.BalanceCentsAsync(first));
    }

    /// <summary>Moves the clock on after a write, so the next one's webhooks come after its own.</summary>
    private async Task<T> Tick<T>(Task<T> write)
    {
        var result = await write;
        api.Clock.Advance(TimeSpan.FromSeconds(1));
        return result;
    }

    /// <summary>A new organization, with one endpoint subscribed to the ledger's webhooks, or one subscribed only to others.</summary>
    private async Task<(HttpClient Client, Guid Organization)> OrganizationAsync(bool subscribed)
    {
        await using var scope = api.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<WalletsDbContext>();
        var (organization, key) = await OrganizationSetup.CreateAsync(db, "webhooks", api.Clock);
        string[]? types = subscribed ? null : ["invoice.created", "wallet.created"];
        var now = api.Clock.GetUtcNow();
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO webhook_endpoints (id, organization_id, webhook_url, event_types, created_at, updated_at)
            VALUES ({Ids.New()}, {organization.Id}, {"https://hooks.example/" + organization.Id}, {types}, {now}, {now})
            """);
        return (api.ClientWithKey(key), organization.Id);
    }

    /// <summary>The organization's outbox rows' payloads, in the order they were written (by time, the tests moving the clock between writes; one statement's rows by position).</summary>
    private async Task<List<JsonNode>> WebhooksAsync(Guid organization)
    {
        await using var connection = new NpgsqlConnection(api.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT payload::text FROM webhooks WHERE organization_id = $1 AND status = 'pending' AND webhook_type LIKE 'wallet\\_transaction.%' ORDER BY created_at, ctid", connection)
        { Parameters = { new NpgsqlParameter { Value = organization } } };
        await using var reader = await command.ExecuteReaderAsync();
        var payloads = new List<JsonNode>();
        while (await reader.ReadAsync()) payloads.Add(JsonNode.Parse(reader.GetString(0))!);
        return payloads;
    }
}
