using System.Text.Json.Nodes;
using Wallets.Api.Tests.Infrastructure;

namespace Wallets.Api.Tests.Alerts;

/// <summary>Wallet alerts as Lago's API gives them, and `alert.triggered` written in the batch that crosses a threshold.</summary>
public sealed class WalletAlertTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private const string Alerts = "/api/v1/customers/alice/wallets/main/alerts";

    [Fact]
    public async Task An_alert_is_created_read_listed_updated_and_deleted_with_Lagos_shapes()
    {
        var (client, _) = await api.AlertingOrganizationAsync();
        var wallet = await WalletWithCreditsAsync(client, "100");
        var created = (await client.PostAsync(Alerts, new { alert = new { alert_type = "wallet_balance_amount", code = "low", name = "Low",
            thresholds = new object[] { new { code = "warn", value = 5000 }, new { value = "1000.5", recurring = true } } } })).Ok()["alert"]!;
        Assert.Equal(("wallet_balance_amount", "low", "Low", "decreasing", "10000.0", "main", wallet),
            ((string)created["alert_type"]!, (string)created["code"]!, (string)created["name"]!, (string)created["direction"]!,
             (string)created["previous_value"]!, (string)created["wallet_code"]!, (string)created["lago_wallet_id"]!));
        Assert.Equal("""[{"code":"warn","value":"5000.0","recurring":false},{"code":null,"value":"1000.5","recurring":true}]""", created["thresholds"]!.ToJsonString());
        Assert.True(JsonNode.DeepEquals(created, (await client.GetJsonAsync($"{Alerts}/low")).Ok()["alert"]));
        Assert.Single((await client.GetJsonAsync(Alerts)).Ok()["alerts"]!.AsArray());

        var updated = (await client.PutAsync($"{Alerts}/low", new { alert = new { code = "lower", thresholds = new[] { new { value = 2000 } } } })).Ok()["alert"]!;
        Assert.Equal(("lower", "Low", "2000.0"), ((string)updated["code"]!, (string)updated["name"]!, (string)updated["thresholds"]![0]!["value"]!));
        (await client.DeleteJsonAsync($"{Alerts}/lower")).Ok();
        (await client.GetJsonAsync($"{Alerts}/lower")).ExpectNotFound("alert");
        (await client.GetJsonAsync("/api/v1/customers/alice/wallets/other/alerts")).ExpectNotFound("wallet");
        // As Lago: the wallet is found before the body is required.
        (await client.PostAsync("/api/v1/customers/alice/wallets/other/alerts", new { })).ExpectNotFound("wallet");
        (await client.PutAsync($"{Alerts}/gone", new { })).ExpectNotFound("alert");
        Assert.Equal(400, (int)(await client.PostAsync(Alerts, new { alerts = Array.Empty<object>() })).Status);
    }

    [Theory]
    [InlineData("""{"code":"a","thresholds":[{"value":1}]}""", "alert_type", "value_is_mandatory,value_is_invalid")]
    [InlineData("""{"alert_type":"current_usage_amount","code":"a","thresholds":[{"value":1}]}""", "alert_type", "invalid_type")]
    [InlineData("""{"alert_type":"wallet_balance_amount","code":"a","thresholds":[]}""", "thresholds", "value_is_mandatory")]
    [InlineData("""{"alert_type":"wallet_balance_amount","code":"a","thresholds":[{"value":1},{"value":1}]}""", "thresholds", "duplicate_threshold_values")]
    [InlineData("""{"alert_type":"wallet_balance_amount","code":"a","thresholds":[{"code":"x"}]}""", "thresholds:value", "value_is_mandatory")]
    [InlineData("""{"alert_type":"wallet_balance_amount","code":"a","thresholds":[{"value":"ten"}]}""", "thresholds:value", "value_is_invalid")]
    [InlineData("""{"alert_type":"wallet_balance_amount","code":"a","thresholds":[{"value":-5,"recurring":true}]}""", "thresholds:value", "recurring_value_is_negative")]
    [InlineData("""{"alert_type":"wallet_balance_amount","thresholds":[{"value":1}]}""", "code", "value_is_mandatory")]
    [InlineData("""{"alert_type":"wallet_credits_balance","code":"taken","thresholds":[{"value":1}]}""", "code", "value_already_exist")]
    [InlineData("""{"alert_type":"wallet_balance_amount","code":"b","thresholds":[{"value":1}]}""", "base", "alert_already_exists")]
    public async Task Each_invalid_alert_is_Lagos_422_and_writes_nothing(string alert, string field, string codes)
    {
        var (client, _) = await api.AlertingOrganizationAsync();
        await WalletWithCreditsAsync(client, "1");
        (await client.PostAsync(Alerts, new { alert = new { alert_type = "wallet_balance_amount", code = "taken", thresholds = new[] { new { value = 9 } } } })).Ok();
        (await client.PostAsync(Alerts, JsonNode.Parse($$"""{"alert":{{alert}}}""")!)).ExpectValidation(field, codes.Split(','));
        Assert.Single((await client.GetJsonAsync(Alerts)).Ok()["alerts"]!.AsArray());
    }

    [Fact]
    public async Task A_batch_creates_all_its_alerts_or_none_and_names_each_failing_index()
    {
        var (client, _) = await api.AlertingOrganizationAsync();
        await WalletWithCreditsAsync(client, "1");
        var good = new { alert_type = "wallet_balance_amount", code = "a", thresholds = new[] { new { value = 1 } } };
        var refused = await client.PostAsync(Alerts, new { alerts = new object[] { good, new { alert_type = "wallet_credits_balance", code = "a", thresholds = new[] { new { value = 1 } } } } });
        Assert.Equal(422, (int)refused.Status);
        Assert.Equal("""Validation errors: {"code":["value_already_exist"]}""", (string)refused.Json!["error_details"]!["1"]!["errors"]!);
        Assert.Empty((await client.GetJsonAsync(Alerts)).Ok()["alerts"]!.AsArray());

        var both = (await client.PostAsync(Alerts, new { alerts = new object[] { good, new { alert_type = "wallet_credits_balance", code = "b", thresholds = new[] { new { value = 1 } } } } })).Ok();
        Assert.Equal(["a", "b"], both["alerts"]!.AsArray().Select(a => (string)a!["code"]!));
    }

    [Fact]
    public async Task Grants_and_voids_fire_each_crossed_threshold_once_in_order_and_again_only_after_the_balance_went_back_up()
    {
        var (client, organization) = await api.AlertingOrganizationAsync();
        var wallet = await WalletWithCreditsAsync(client, "100");
        (await client.PostAsync(Alerts, new { alerts = new object[] {
            new { alert_type = "wallet_balance_amount", code = "cents", thresholds = new[] { new { value = 5000 }, new { value = 2000 } } },
            new { alert_type = "wallet_credits_balance", code = "credits", thresholds = new object[] { new { value = "30" }, new { value = "10", recurring = true } } } } })).Ok();

        await client.VoidAsync(wallet, "60");   // 40 credits: 5000 cents crossed
        await client.VoidAsync(wallet, "1");    // 39: nothing
        await client.VoidAsync(wallet, "14");   // 25: 30 credits crossed
        await client.VoidAsync(wallet, "20");   // 5: 2000 cents; 20 and 10 credits (recurring below 30)
        await client.VoidAsync(wallet, "1");    // 4: nothing
        await client.GrantAsync(wallet, "96");  // 100: nothing, the alerts rearm
        await client.VoidAsync(wallet, "99");   // 1: everything again

        var sent = await api.TriggeredAsync(organization);
        Assert.Equal([("cents", "4000.0", "10000.0", "5000.0"), ("credits", "25.0", "39.0", "30.0"), ("cents", "500.0", "2500.0", "2000.0"),
                ("credits", "5.0", "25.0", "10.0,20.0"), ("cents", "100.0", "10000.0", "5000.0,2000.0"), ("credits", "1.0", "100.0", "30.0,10.0,20.0")],
            sent.Select(a => ((string)a["alert_code"]!, (string)a["current_value"]!, (string)a["previous_value"]!,
                string.Join(",", a["crossed_thresholds"]!.AsArray().Select(t => (string)t!["value"]!)))));
        Assert.All(sent, a => Assert.Equal(("alice", wallet), ((string)a["external_customer_id"]!, (string)a["lago_wallet_id"]!)));
    }

    [Fact]
    public async Task Parallel_debits_crossing_one_threshold_send_exactly_one_webhook()
    {
        var (client, organization) = await api.AlertingOrganizationAsync();
        var wallet = await WalletWithCreditsAsync(client, "20");
        (await client.PostAsync(Alerts, new { alert = new { alert_type = "wallet_credits_balance", code = "ten", thresholds = new[] { new { value = 10 } } } })).Ok();
        await Task.WhenAll(Enumerable.Range(0, 15).Select(_ => client.VoidAsync(wallet, "1")));
        Assert.Single(await api.TriggeredAsync(organization));
    }

    private static async Task<string> WalletWithCreditsAsync(HttpClient client, string credits)
    {
        var wallet = (string)(await client.WalletAsync("alice", new { code = "main" }))["lago_id"]!;
        await client.GrantAsync(wallet, credits);
        return wallet;
    }
}
