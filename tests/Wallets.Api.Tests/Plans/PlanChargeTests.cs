using System.Net;
using Wallets.Api.Tests.Infrastructure;
using static Wallets.Api.Tests.Plans.PlanTests;

namespace Wallets.Api.Tests.Plans;

/// <summary>Plan updates that touch charges, and the `/plans/{code}/charges` routes.</summary>
public sealed class PlanChargeTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private static string[] CodesOf(System.Text.Json.Nodes.JsonNode plan) => plan["charges"]!.AsArray().Select(c => (string)c!["code"]!).ToArray();

    [Fact]
    public async Task Updating_a_plan_changes_only_the_fields_sent()
    {
        var client = await api.NewOrganizationClientAsync();
        var metric = await MetricAsync(client, "m");
        var body = Plan("keep", new { billable_metric_id = metric, charge_model = "standard", properties = new { amount = "1" } });
        body["description"] = "kept";
        (await client.PostAsync("/api/v1/plans", new { plan = body })).Ok();

        var plan = (await client.PutAsync("/api/v1/plans/keep", new { plan = new { name = "Renamed", amount_cents = 20_000 } })).Ok()["plan"]!;
        Assert.Equal("Renamed", (string?)plan["name"]);
        Assert.Equal(20_000, (long)plan["amount_cents"]!);
        Assert.Equal("kept", (string?)plan["description"]);
        Assert.Equal(["m"], CodesOf(plan));

        (await client.PutAsync("/api/v1/plans/keep", new { plan = new { amount_currency = "XYZ" } })).ExpectValidation("amount_currency", "value_is_invalid");
        Assert.Equal("EUR", (string?)(await client.GetJsonAsync("/api/v1/plans/keep")).Ok()["plan"]!["amount_currency"]);
    }

    [Fact]
    public async Task Sending_charges_replaces_the_list_matching_by_id_then_by_code()
    {
        var client = await api.NewOrganizationClientAsync();
        var metric = await MetricAsync(client, "m");
        var created = (await client.PostAsync("/api/v1/plans", new
        {
            plan = Plan("swap",
                new { billable_metric_id = metric, charge_model = "standard", code = "a", properties = new { amount = "1" } },
                new { billable_metric_id = metric, charge_model = "standard", code = "b", properties = new { amount = "2" } },
                new { billable_metric_id = metric, charge_model = "standard", code = "c", properties = new { amount = "3" } }),
        })).Ok()["plan"]!;
        var idOfA = (string?)created["charges"]![0]!["lago_id"];

        var updated = (await client.PutAsync("/api/v1/plans/swap", new
        {
            plan = new
            {
                charges = new object[]
                {
                    new { id = idOfA, code = "a2", properties = new { amount = "10" } },
                    new { code = "b", accepts_target_wallet = true },
                    new { billable_metric_id = metric, charge_model = "package", code = "d" },
                },
            },
        })).Ok()["plan"]!;

        Assert.Equal(["a2", "b", "d"], CodesOf(updated));
        Assert.Equal(idOfA, (string?)updated["charges"]![0]!["lago_id"]);
        Assert.Equal("10", (string?)updated["charges"]![0]!["properties"]!["amount"]);
        Assert.Equal("2", (string?)updated["charges"]![1]!["properties"]!["amount"]);
        Assert.True((bool)updated["charges"]![1]!["accepts_target_wallets"]!);
        (await client.GetJsonAsync("/api/v1/plans/swap/charges/c")).ExpectNotFound("charge");
        Assert.Equal(1L, await api.ScalarAsync<long>("SELECT count(*) FROM charges WHERE code = 'c' AND deleted_at IS NOT NULL"));

        var emptied = (await client.PutAsync("/api/v1/plans/swap", new { plan = new { charges = Array.Empty<object>() } })).Ok()["plan"]!;
        Assert.Empty(emptied["charges"]!.AsArray());
    }

    [Fact]
    public async Task An_invalid_charge_in_an_update_changes_nothing()
    {
        var client = await api.NewOrganizationClientAsync();
        var metric = await MetricAsync(client, "m");
        (await client.PostAsync("/api/v1/plans", new { plan = Plan("safe", new { billable_metric_id = metric, charge_model = "standard", code = "a", properties = new { amount = "1" } }) })).Ok();

        (await client.PutAsync("/api/v1/plans/safe", new { plan = new { name = "Changed", charges = new object[] { new { code = "a", properties = new { amount = "-3" } } } } }))
            .ExpectValidation("properties", "invalid_amount");
        var plan = (await client.GetJsonAsync("/api/v1/plans/safe")).Ok()["plan"]!;
        Assert.Equal("Startup", (string?)plan["name"]);
        Assert.Equal("1", (string?)plan["charges"]![0]!["properties"]!["amount"]);
    }

    [Fact]
    public async Task Charges_can_be_created_read_listed_updated_and_deleted_on_their_own()
    {
        var client = await api.NewOrganizationClientAsync();
        var metric = await MetricAsync(client, "calls", "count_agg");
        (await client.PostAsync("/api/v1/plans", new { plan = Plan("solo") })).Ok();

        var charge = (await client.PostAsync("/api/v1/plans/solo/charges", new
        {
            charge = new { billable_metric_id = metric, charge_model = "standard", invoice_display_name = "Calls", properties = new { amount = "0.002" }, accepts_target_wallet = true },
        })).Ok()["charge"]!;
        Assert.Equal("calls", (string?)charge["code"]);
        Assert.Equal("calls", (string?)charge["billable_metric_code"]);
        Assert.True((bool)charge["accepts_target_wallet"]!);
        Assert.Equal(charge.ToJsonString(), (await client.GetJsonAsync("/api/v1/plans/solo/charges/calls")).Ok()["charge"]!.ToJsonString());
        Assert.Equal(["calls"], CodesOf((await client.GetJsonAsync("/api/v1/plans/solo")).Ok()["plan"]!));

        (await client.PostAsync("/api/v1/plans/solo/charges", new { charge = new { billable_metric_id = metric, charge_model = "standard" } })).Ok();
        var list = (await client.GetJsonAsync("/api/v1/plans/solo/charges?per_page=1")).Ok();
        Assert.Equal("calls_2", (string?)list["charges"]![0]!["code"]);
        Assert.Equal(2, (int)list["meta"]!["total_count"]!);

        var updated = (await client.PutAsync("/api/v1/plans/solo/charges/calls", new { charge = new { invoice_display_name = (string?)null, accepts_target_wallets = false } })).Ok()["charge"]!;
        Assert.Null(updated["invoice_display_name"]);
        Assert.False((bool)updated["accepts_target_wallet"]!);
        Assert.Equal("0.002", (string?)updated["properties"]!["amount"]);

        var deleted = await client.SendJsonAsync(HttpMethod.Delete, "/api/v1/plans/solo/charges/calls", new { charge = new { cascade_updates = true } });
        Assert.Equal((string?)charge["lago_id"], (string?)deleted.Ok()["charge"]!["lago_id"]);
        (await client.GetJsonAsync("/api/v1/plans/solo/charges/calls")).ExpectNotFound("charge");
        (await client.DeleteJsonAsync("/api/v1/plans/solo/charges/calls")).ExpectNotFound("charge");
    }

    [Fact]
    public async Task Charge_routes_answer_lagos_404s_and_422s()
    {
        var client = await api.NewOrganizationClientAsync();
        var metric = await MetricAsync(client, "m");
        (await client.PostAsync("/api/v1/plans", new { plan = Plan("host", new { billable_metric_id = metric, charge_model = "standard", code = "taken" }) })).Ok();

        (await client.PostAsync("/api/v1/plans/none/charges", new { charge = new { billable_metric_id = metric, charge_model = "standard" } })).ExpectNotFound("plan");
        (await client.PostAsync("/api/v1/plans/host/charges", new { charge = new { billable_metric_id = Guid.NewGuid(), charge_model = "standard" } })).ExpectNotFound("billable_metric");
        (await client.PostAsync("/api/v1/plans/host/charges", new { charge = new { charge_model = "standard" } })).ExpectValidation("billable_metric_id", "value_is_mandatory");
        (await client.PostAsync("/api/v1/plans/host/charges", new { charge = new { billable_metric_id = metric, charge_model = "standard", code = "taken" } })).ExpectValidation("code", "value_already_exist");
        (await client.PostAsync("/api/v1/plans/host/charges", new { charge = new { billable_metric_id = metric, charge_model = "percentage" } })).ExpectValidation("charge_model", "value_is_invalid");
        (await client.PutAsync("/api/v1/plans/host/charges/taken", new { charge = new { properties = new { amount = 3 } } })).ExpectValidation("properties", "invalid_amount");
        (await client.PutAsync("/api/v1/plans/host/charges/none", new { charge = new { invoice_display_name = "x" } })).ExpectNotFound("charge");
        Assert.Equal(1L, await api.ScalarAsync<long>("SELECT count(*) FROM charges c JOIN plans p ON p.id = c.plan_id WHERE p.code = 'host'"));
    }

    [Fact]
    public async Task Charge_filters_must_use_the_metrics_filter_values()
    {
        var client = await api.NewOrganizationClientAsync();
        var metric = (string)(await client.PostAsync("/api/v1/billable_metrics", new
        {
            billable_metric = new { name = "GB", code = "gb", aggregation_type = "sum_agg", field_name = "gb", filters = new[] { new { key = "region", values = new[] { "eu", "us" } } } },
        })).Ok()["billable_metric"]!["lago_id"]!;
        var filter = new { invoice_display_name = "EU", properties = new { amount = "2" }, values = new { region = new[] { "eu" } } };

        var charge = (await client.PostAsync("/api/v1/plans", new { plan = Plan("filtered", new { billable_metric_id = metric, charge_model = "standard", filters = new[] { filter } }) })).Ok()["plan"]!["charges"]![0]!;
        Assert.Equal("""[{"invoice_display_name":"EU","properties":{"amount":"2"},"values":{"region":["eu"]}}]""", charge["filters"]!.ToJsonString());

        var wrong = new { invoice_display_name = "Asia", properties = new { amount = "2" }, values = new { region = new[] { "asia" } } };
        (await client.PostAsync("/api/v1/plans", new { plan = Plan("wrong", new { billable_metric_id = metric, charge_model = "standard", filters = new[] { wrong } }) }))
            .ExpectValidation("filters", "value_is_invalid");
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetJsonAsync("/api/v1/plans/wrong")).Status);
    }
}
