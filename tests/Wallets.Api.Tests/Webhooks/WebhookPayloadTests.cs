using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Wallets.Api.Tests.Infrastructure;
using Wallets.Api.Tests.Invoicing;

namespace Wallets.Api.Tests.Webhooks;

/// <summary>Every type this service sends, made by its API operation and checked against Lago's documented body.</summary>
public sealed class WebhookPayloadTests(WebhookApiFactory api) : IClassFixture<WebhookApiFactory>
{
    private static readonly Lazy<LagoWebhookSchemas> Schemas = new(LagoWebhookSchemas.Load);

    [Fact]
    public async Task Each_operation_sends_its_webhook_with_the_body_Lago_documents()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var client = await api.NewOrganizationClientAsync();
        var endpoint = await client.EndpointAsync(receiver.Url("payloads"));

        await client.CustomerAsync("cus_pay", "USD");
        (await client.PostAsync("/api/v1/customers", new { customer = new { external_id = "cus_pay", name = "Payload Inc" } })).Ok();
        var wallet = (await client.PostAsync("/api/v1/wallets", new
        {
            wallet = new { external_customer_id = "cus_pay", code = "main", rate_amount = "1", currency = "USD", paid_credits = "20", granted_credits = "5" },
        })).Ok()["wallet"]!;
        (await client.PutAsync($"/api/v1/wallets/{wallet.Id()}", new { wallet = new { name = "Main" } })).Ok();
        var creditInvoice = (await client.InvoicesAsync("cus_pay", "credit")).Single();
        (await client.PutAsync($"/api/v1/invoices/{creditInvoice.Id()}", new { invoice = new { payment_status = "succeeded" } })).Ok();

        var metric = await client.MetricAsync("calls");
        await client.PlanAsync("basic", "USD", UsageSetup.Standard(metric, "1", targets: true));
        await client.SubscribeAsync("cus_pay", "sub_pay", "basic");
        await client.EventAsync("sub_pay", "calls", new { target_wallet_code = "no_such_wallet" });
        await client.EventAsync("sub_pay", "calls", new { target_wallet_code = "main" });
        (await client.DeleteJsonAsync("/api/v1/subscriptions/sub_pay")).Ok();

        (await client.PostAsync("/api/v1/add_ons", new { add_on = new { name = "Setup", code = "setup", amount_cents = 1000, amount_currency = "USD" } })).Ok();
        var oneOff = (await client.PostAsync("/api/v1/invoices", new
        {
            invoice = new { external_customer_id = "cus_pay", currency = "USD", fees = new[] { new { add_on_code = "setup" } } },
        })).Ok()["invoice"]!;
        (await client.PostAsync($"/api/v1/invoices/{oneOff.Id()}/void", new { })).Ok();
        (await client.DeleteJsonAsync($"/api/v1/wallets/{wallet.Id()}")).Ok();

        string[] expected =
        [
            "customer.created", "customer.updated", "wallet.created", "wallet.updated", "wallet.terminated", "invoice.paid_credit_added",
            "invoice.payment_status_updated", "subscription.started", "subscription.terminated", "invoice.created", "event.error",
            "invoice.one_off_created", "invoice.voided",
        ];
        var got = await receiver.WaitAsync(endpoint.Url, all => expected.All(t => all.Any(r => TypeOf(r) == t)));
        var failures = new List<string>();
        foreach (var webhook in got)
        {
            var body = JsonNode.Parse(webhook.Body)!;
            var problems = Schemas.Value.Check(Schemas.Value.BodySchema(TypeOf(webhook), (string)body["object_type"]!), body);
            failures.AddRange(problems.Select(p => $"{TypeOf(webhook)}: {p}"));
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));

        var eventError = JsonNode.Parse(got.Single(r => TypeOf(r) == "event.error").Body)!["event_error"]!;
        Assert.Equal("""{"target_wallet_code":["target_wallet_code_not_found"]}""", (string?)eventError["message"]);
        Assert.Equal("no_such_wallet", (string?)eventError["event"]!["properties"]!["target_wallet_code"]);
        Assert.Equal("terminated", (string?)JsonNode.Parse(got.Single(r => TypeOf(r) == "wallet.terminated").Body)!["wallet"]!["status"]);
        Assert.Equal("5.0", (string?)JsonNode.Parse(got.Single(r => TypeOf(r) == "wallet.created").Body)!["wallet"]!["credits_balance"]);
    }

    [Fact]
    public async Task A_refused_or_rolled_back_change_sends_nothing()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var client = await api.NewOrganizationClientAsync();
        var endpoint = await client.EndpointAsync(receiver.Url("refused"));
        var metric = await client.MetricAsync("hits");
        await client.PlanAsync("targets", "USD", UsageSetup.Standard(metric, "1", targets: true));
        await client.CustomerAsync("cus_refused", "USD");
        await client.SubscribeAsync("cus_refused", "sub_refused", "targets");
        await receiver.WaitForAsync(endpoint.Url, 2);

        // Refused: a wallet for nobody, a void of a voided invoice, an update to a terminated wallet.
        (await client.PostAsync("/api/v1/wallets", new { wallet = new { external_customer_id = "nobody", rate_amount = "1", currency = "USD" } }))
            .ExpectValidation("customer", "customer_not_found");
        var wallet = (await client.PostAsync("/api/v1/wallets", new { wallet = new { external_customer_id = "cus_refused", rate_amount = "1", currency = "USD", code = "w" } })).Ok()["wallet"]!;
        (await client.DeleteJsonAsync($"/api/v1/wallets/{wallet.Id()}")).Ok();
        (await client.PutAsync($"/api/v1/wallets/{wallet.Id()}", new { wallet = new { name = "late" } })).ExpectValidation("wallet_id", "wallet_is_terminated");
        // Rolled back: a batch of events, one targeting no wallet, that fails whole on a duplicate transaction_id.
        await client.EventAsync("sub_refused", "hits", transactionId: "dup");
        var batch = await client.PostAsync("/api/v1/events/batch", new
        {
            events = new object[]
            {
                new { transaction_id = "fresh", external_subscription_id = "sub_refused", code = "hits", properties = new { target_wallet_code = "ghost" } },
                new { transaction_id = "dup", external_subscription_id = "sub_refused", code = "hits" },
            },
        });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, batch.Status);

        // A change that commits afterwards arrives; nothing of the refused ones was written, so nothing else does.
        (await client.PostAsync("/api/v1/customers", new { customer = new { external_id = "cus_refused", name = "after" } })).Ok();
        await receiver.WaitAsync(endpoint.Url, all => all.Any(r => TypeOf(r) == "customer.updated"));
        await Task.Delay(300);
        Assert.Equal(["customer.created", "customer.updated", "subscription.started", "wallet.created", "wallet.terminated"],
            receiver.At(endpoint.Url).Select(TypeOf).Order());
        Assert.Equal(5L, await api.ScalarAsync<long>($"SELECT count(*) FROM webhooks WHERE webhook_endpoint_id = '{endpoint.Id}'"));
    }

    [Fact]
    public async Task The_expiry_job_terminating_a_wallet_sends_wallet_terminated()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var client = await api.NewOrganizationClientAsync();
        var endpoint = await client.EndpointAsync(receiver.Url("expiry"), eventTypes: ["wallet.terminated"]);
        var wallet = await client.WalletAsync("cus_expiring", new { granted_credits = "10", expiration_at = DateTimeOffset.UtcNow.AddDays(1).ToString("yyyy-MM-ddTHH:mm:ssZ") });
        // Expired now on the real clock this factory runs on.
        await api.ScalarAsync<int>($"UPDATE wallets SET expiration_at = now() - interval '1 second' WHERE id = '{wallet.Id()}' RETURNING 1");

        Assert.Equal(1, await api.Services.GetRequiredService<global::Wallets.Api.Jobs.WalletExpiryJob>().RunOnceAsync(default));

        var body = JsonNode.Parse((await receiver.WaitForAsync(endpoint.Url, 1)).Single().Body)!;
        Assert.Equal((wallet.Id(), "terminated", "0.0"), ((string)body["wallet"]!["lago_id"]!, (string?)body["wallet"]!["status"], (string?)body["wallet"]!["credits_balance"]));
    }

    [Fact]
    public async Task The_ongoing_balance_job_sends_alert_triggered_and_the_depleted_wallet_as_the_API_answers_it()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var client = await api.NewOrganizationClientAsync();
        var endpoint = await client.EndpointAsync(receiver.Url("ongoing"), eventTypes: ["alert.triggered", "wallet.depleted_ongoing_balance"]);
        var metric = await client.MetricAsync("calls");
        await client.PlanAsync("basic", "USD", UsageSetup.Standard(metric, "1"));
        var wallet = (await client.WalletAsync("cus_ongoing", new { code = "main", granted_credits = "1" })).Id();
        await client.SubscribeAsync("cus_ongoing", "sub_ongoing", "basic");
        (await client.PostAsync("/api/v1/customers/cus_ongoing/wallets/main/alerts",
            new { alert = new { alert_type = "wallet_ongoing_balance_amount", code = "empty", thresholds = new[] { new { value = 0 } } } })).Ok();
        await client.EventAsync("sub_ongoing", "calls");   // 1.00 of usage: the ongoing balance is 0

        Assert.Equal(1, await api.Services.GetRequiredService<global::Wallets.Api.Jobs.OngoingBalanceJob>().RunOnceAsync(default));

        var got = await receiver.WaitForAsync(endpoint.Url, 2);
        Assert.Equal(["alert.triggered", "wallet.depleted_ongoing_balance"], got.Select(TypeOf).Order());
        // The spec's triggered_alert predates wallet alerts (subscription required, no wallet types): only the wallet is checked.
        var body = JsonNode.Parse(got.Single(r => TypeOf(r) == "wallet.depleted_ongoing_balance").Body)!;
        Assert.Empty(Schemas.Value.Check(Schemas.Value.BodySchema("wallet.depleted_ongoing_balance", "wallet"), body));
        var depleted = body["wallet"]!;
        Assert.True(JsonNode.DeepEquals(await client.GetWalletAsync(wallet), depleted), depleted.ToJsonString());
        Assert.True((bool)depleted["depleted_ongoing_balance"]!);
        var alert = JsonNode.Parse(got.Single(r => TypeOf(r) == "alert.triggered").Body)!["triggered_alert"]!;
        Assert.Equal(("empty", "100.0", "0.0"), ((string)alert["alert_code"]!, (string)alert["previous_value"]!, (string)alert["current_value"]!));
    }

    private static string TypeOf(Received r) => (string)JsonNode.Parse(r.Body)!["webhook_type"]!;
}
