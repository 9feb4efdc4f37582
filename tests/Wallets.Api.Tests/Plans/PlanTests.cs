using Wallets.Api.Tests.Infrastructure;

namespace Wallets.Api.Tests.Plans;

public sealed class PlanTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    internal static async Task<string> MetricAsync(HttpClient client, string code, string aggregation = "sum_agg", bool recurring = false) =>
        (string)(await client.PostAsync("/api/v1/billable_metrics", new
        {
            billable_metric = new { name = code, code, aggregation_type = aggregation, field_name = aggregation == "count_agg" ? null : "units", recurring },
        })).Ok()["billable_metric"]!["lago_id"]!;

    internal static Dictionary<string, object?> Plan(string code, params object[] charges) => new()
    {
        ["name"] = "Startup", ["code"] = code, ["interval"] = "monthly", ["amount_cents"] = 10_000, ["amount_currency"] = "EUR",
        ["pay_in_advance"] = false, ["charges"] = charges,
    };

    private async Task AssertNothingWrittenAsync(string code)
    {
        Assert.Equal(0L, await api.ScalarAsync<long>("SELECT count(*) FROM plans WHERE code = @c", ("c", code)));
        Assert.Equal(0L, await api.ScalarAsync<long>("SELECT count(*) FROM charges c JOIN plans p ON p.id = c.plan_id WHERE p.code = @c", ("c", code)));
    }

    [Fact]
    public async Task Create_returns_lagos_plan_object_with_its_charges_and_taxes()
    {
        var client = await api.NewOrganizationClientAsync();
        var storage = await MetricAsync(client, "storage");
        var calls = await MetricAsync(client, "calls", "count_agg");
        (await client.PostAsync("/api/v1/taxes", new { tax = new { name = "VAT", code = "vat", rate = "20" } })).Ok();

        var body = Plan("startup",
            new { billable_metric_id = storage, charge_model = "standard", accepts_target_wallet = true, invoice_display_name = "Storage", properties = new { amount = "0.5", grouped_by = new[] { "region" } }, tax_codes = new[] { "vat" } },
            new { billable_metric_id = calls, charge_model = "graduated", code = "tiers", properties = new { graduated_ranges = new object[] { new { from_value = 0, to_value = 100, per_unit_amount = "0", flat_amount = "0", junk = "dropped" }, new { from_value = 101, to_value = (int?)null, per_unit_amount = "0.001", flat_amount = "1.5" } } } },
            new { billable_metric_id = calls, charge_model = "package", properties = new { amount = "10", package_size = 1000, free_units = 100 } });
        body["trial_period"] = 14;
        body["description"] = "For small teams";
        body["tax_codes"] = new[] { "vat" };
        var plan = (await client.PostAsync("/api/v1/plans", new { plan = body })).Ok()["plan"]!;

        Assert.Matches("^[0-9a-f-]{36}$", (string?)plan["lago_id"]);
        Assert.Equal("startup", (string?)plan["code"]);
        Assert.Equal("monthly", (string?)plan["interval"]);
        Assert.Equal(10_000, (long)plan["amount_cents"]!);
        Assert.Equal("EUR", (string?)plan["amount_currency"]);
        Assert.Equal("14", plan["trial_period"]!.ToJsonString());
        Assert.False((bool)plan["pay_in_advance"]!);
        Assert.Equal(["vat"], plan["taxes"]!.AsArray().Select(t => (string?)t!["code"]));
        Assert.Equal(0, (int)plan["active_subscriptions_count"]!);

        var charges = plan["charges"]!.AsArray();
        Assert.Equal(["storage", "tiers", "calls"], charges.Select(c => (string?)c!["code"]));
        var standard = charges[0]!;
        Assert.Equal(storage, (string?)standard["lago_billable_metric_id"]);
        Assert.Equal("storage", (string?)standard["billable_metric_code"]);
        Assert.True((bool)standard["accepts_target_wallet"]!);
        Assert.True((bool)standard["accepts_target_wallets"]!);
        Assert.True((bool)standard["invoiceable"]!);
        Assert.Equal(0, (long)standard["min_amount_cents"]!);
        Assert.Equal("""{"amount":"0.5","grouped_by":["region"],"pricing_group_keys":["region"]}""", standard["properties"]!.ToJsonString());
        Assert.Equal(["vat"], standard["taxes"]!.AsArray().Select(t => (string?)t!["code"]));
        Assert.Empty(standard["filters"]!.AsArray());
        Assert.Equal("1.5", (string?)charges[1]!["properties"]!["graduated_ranges"]![1]!["flat_amount"]);
        Assert.Equal("""{"to_value":100,"from_value":0,"flat_amount":"0","per_unit_amount":"0"}""", charges[1]!["properties"]!["graduated_ranges"]![0]!.ToJsonString());
        Assert.False((bool)charges[1]!["accepts_target_wallet"]!);
        Assert.Equal("""{"amount":"10","free_units":100,"package_size":1000}""", charges[2]!["properties"]!.ToJsonString());

        Assert.Equal(plan.ToJsonString(), (await client.GetJsonAsync("/api/v1/plans/startup")).Ok()["plan"]!.ToJsonString());
    }

    [Fact]
    public async Task The_plural_accepts_target_wallets_is_accepted_and_both_names_are_returned()
    {
        var client = await api.NewOrganizationClientAsync();
        var metric = await MetricAsync(client, "m");
        var plan = (await client.PostAsync("/api/v1/plans", new { plan = Plan("plural", new { billable_metric_id = metric, charge_model = "standard", accepts_target_wallets = true, properties = new { amount = "1" } }) })).Ok()["plan"]!;
        Assert.True((bool)plan["charges"]![0]!["accepts_target_wallet"]!);
        Assert.True((bool)plan["charges"]![0]!["accepts_target_wallets"]!);
    }

    [Fact]
    public async Task A_charge_without_properties_gets_lagos_defaults()
    {
        var client = await api.NewOrganizationClientAsync();
        var metric = await MetricAsync(client, "m");
        var plan = (await client.PostAsync("/api/v1/plans", new { plan = Plan("defaults", new { billable_metric_id = metric, charge_model = "package" }) })).Ok()["plan"]!;
        Assert.Equal("""{"amount":"0","free_units":0,"package_size":1}""", plan["charges"]![0]!["properties"]!.ToJsonString());
    }

    [Theory]
    [InlineData("interval", "daily", "value_is_invalid")]
    [InlineData("interval", null, "value_is_mandatory")]
    [InlineData("amount_currency", "EURO", "value_is_invalid")]
    [InlineData("amount_cents", -1, "value_is_out_of_range")]
    [InlineData("amount_cents", null, "value_is_mandatory")]
    [InlineData("amount_cents", "ten", "value_is_invalid")]
    [InlineData("name", "", "value_is_mandatory")]
    [InlineData("trial_period", -2, "value_is_out_of_range")]
    [InlineData("trial_period", 1e20, "value_is_out_of_range")]
    [InlineData("name", "a\u0000b", "value_is_invalid")]
    public async Task Invalid_plan_fields_are_422_and_write_nothing(string field, object? value, string code)
    {
        var client = await api.NewOrganizationClientAsync();
        var metric = await MetricAsync(client, "m");
        var body = Plan($"bad_{field}", new { billable_metric_id = metric, charge_model = "standard", properties = new { amount = "1" } });
        body[field] = value;
        (await client.PostAsync("/api/v1/plans", new { plan = body })).ExpectValidation(field, code);
        await AssertNothingWrittenAsync($"bad_{field}");
    }

    public static TheoryData<string, string, object, string> InvalidCharges => new()
    {
        { "number_amount", "standard", new { amount = 0.5 }, "invalid_amount" },
        { "negative_amount", "standard", new { amount = "-1" }, "invalid_amount" },
        { "word_amount", "standard", new { amount = "ten" }, "invalid_amount" },
        { "no_ranges", "graduated", new { graduated_ranges = Array.Empty<object>() }, "missing_graduated_ranges" },
        { "gap", "graduated", new { graduated_ranges = new object[] { new { from_value = 0, to_value = 10, per_unit_amount = "1", flat_amount = "0" }, new { from_value = 20, to_value = (int?)null, per_unit_amount = "1", flat_amount = "0" } } }, "invalid_graduated_ranges" },
        { "closed_last", "graduated", new { graduated_ranges = new object[] { new { from_value = 0, to_value = 10, per_unit_amount = "1", flat_amount = "0" } } }, "invalid_graduated_ranges" },
        { "not_zero", "graduated", new { graduated_ranges = new object[] { new { from_value = 1, to_value = (int?)null, per_unit_amount = "1", flat_amount = "0" } } }, "invalid_graduated_ranges" },
        { "range_amount", "graduated", new { graduated_ranges = new object[] { new { from_value = 0, to_value = (int?)null, per_unit_amount = "x", flat_amount = "0" } } }, "invalid_amount" },
        { "package_size", "package", new { amount = "1", package_size = 0, free_units = 0 }, "invalid_package_size" },
        { "free_units", "package", new { amount = "1", package_size = 10, free_units = -1 }, "invalid_free_units" },
    };

    [Theory]
    [MemberData(nameof(InvalidCharges))]
    public async Task Charge_properties_are_checked_per_model_with_lagos_codes(string name, string model, object properties, string code)
    {
        var client = await api.NewOrganizationClientAsync();
        var metric = await MetricAsync(client, "m");
        (await client.PostAsync("/api/v1/plans", new { plan = Plan(name, new { billable_metric_id = metric, charge_model = model, properties }) }))
            .ExpectValidation("properties", code);
        await AssertNothingWrittenAsync(name);
    }

    [Theory]
    [InlineData("volume", "max_agg", false, false, 0, "charge_model", "value_is_invalid")]
    [InlineData("standard", "max_agg", true, false, 0, "pay_in_advance", "invalid_aggregation_type_or_charge_model")]
    [InlineData("standard", "sum_agg", false, true, 0, "prorated", "invalid_billable_metric_or_charge_model")]
    [InlineData("standard", "sum_agg", true, false, 100, "min_amount_cents", "not_compatible_with_pay_in_advance")]
    [InlineData("standard", "sum_agg", false, false, -5, "min_amount_cents", "value_is_out_of_range")]
    public async Task Charges_that_lago_refuses_are_422(string model, string aggregation, bool inAdvance, bool prorated, long minimum, string field, string code)
    {
        var client = await api.NewOrganizationClientAsync();
        var metric = await MetricAsync(client, "m", aggregation);
        var charge = new { billable_metric_id = metric, charge_model = model, pay_in_advance = inAdvance, prorated, min_amount_cents = minimum };
        (await client.PostAsync("/api/v1/plans", new { plan = Plan("refused", charge) })).ExpectValidation(field, code);
        await AssertNothingWrittenAsync("refused");
    }

    [Fact]
    public async Task Unknown_metrics_and_taxes_are_lagos_404s_and_write_nothing()
    {
        var client = await api.NewOrganizationClientAsync();
        var metric = await MetricAsync(client, "m");
        (await client.PostAsync("/api/v1/plans", new { plan = Plan("nometric", new { billable_metric_id = Guid.NewGuid(), charge_model = "standard" }) })).ExpectNotFound("billable_metrics");
        (await client.PostAsync("/api/v1/plans", new { plan = Plan("nometric", new { billable_metric_id = "not-a-uuid", charge_model = "standard" }) })).ExpectNotFound("billable_metrics");
        (await client.PostAsync("/api/v1/plans", new { plan = Plan("notax", new { billable_metric_id = metric, charge_model = "standard", tax_codes = new[] { "nope" } }) })).ExpectNotFound("tax");
        await AssertNothingWrittenAsync("nometric");
        await AssertNothingWrittenAsync("notax");
    }

    [Fact]
    public async Task Duplicate_plan_codes_and_duplicate_charge_codes_are_value_already_exist()
    {
        var client = await api.NewOrganizationClientAsync();
        var metric = await MetricAsync(client, "m");
        (await client.PostAsync("/api/v1/plans", new { plan = Plan("dup") })).Ok();
        (await client.PostAsync("/api/v1/plans", new { plan = Plan("dup") })).ExpectValidation("code", "value_already_exist");

        var same = new { billable_metric_id = metric, charge_model = "standard", code = "same" };
        (await client.PostAsync("/api/v1/plans", new { plan = Plan("twice", same, same) })).ExpectValidation("code", "value_already_exist");
        await AssertNothingWrittenAsync("twice");

        // Without codes, the second charge on one metric gets a suffix.
        var plan = (await client.PostAsync("/api/v1/plans", new { plan = Plan("auto", new { billable_metric_id = metric, charge_model = "standard" }, new { billable_metric_id = metric, charge_model = "standard" }) })).Ok()["plan"]!;
        Assert.Equal(["m", "m_2"], plan["charges"]!.AsArray().Select(c => (string?)c!["code"]));
    }

    [Fact]
    public async Task List_is_paginated_and_delete_returns_the_plan_then_it_is_gone()
    {
        var client = await api.NewOrganizationClientAsync();
        foreach (var code in new[] { "p1", "p2", "p3" }) (await client.PostAsync("/api/v1/plans", new { plan = Plan(code) })).Ok();
        var page = (await client.GetJsonAsync("/api/v1/plans?per_page=2")).Ok();
        Assert.Equal(["p3", "p2"], page["plans"]!.AsArray().Select(p => (string?)p!["code"]));
        Assert.Equal(2, (int)page["meta"]!["total_pages"]!);

        Assert.Equal("p2", (string?)(await client.DeleteJsonAsync("/api/v1/plans/p2")).Ok()["plan"]!["code"]);
        (await client.GetJsonAsync("/api/v1/plans/p2")).ExpectNotFound("plan");
        (await client.DeleteJsonAsync("/api/v1/plans/p2")).ExpectNotFound("plan");
        (await client.PutAsync("/api/v1/plans/p2", new { plan = new { name = "x" } })).ExpectNotFound("plan");
        Assert.Equal(2, (int)(await client.GetJsonAsync("/api/v1/plans")).Ok()["meta"]!["total_count"]!);
        (await client.PostAsync("/api/v1/plans", new { plan = Plan("p2") })).Ok();
    }

    [Fact]
    public async Task Another_organizations_plan_is_a_404()
    {
        var mine = await api.NewOrganizationClientAsync("mine");
        var theirs = await api.NewOrganizationClientAsync("theirs");
        var metric = await MetricAsync(theirs, "m");
        (await theirs.PostAsync("/api/v1/plans", new { plan = Plan("shared", new { billable_metric_id = metric, charge_model = "standard" }) })).Ok();

        (await mine.GetJsonAsync("/api/v1/plans/shared")).ExpectNotFound("plan");
        (await mine.DeleteJsonAsync("/api/v1/plans/shared")).ExpectNotFound("plan");
        (await mine.GetJsonAsync("/api/v1/plans/shared/charges/m")).ExpectNotFound("plan");
        Assert.Equal(0, (int)(await mine.GetJsonAsync("/api/v1/plans")).Ok()["meta"]!["total_count"]!);
        // Their metric cannot be used in my plans either.
        (await mine.PostAsync("/api/v1/plans", new { plan = Plan("mine", new { billable_metric_id = metric, charge_model = "standard" }) })).ExpectNotFound("billable_metrics");
        (await theirs.GetJsonAsync("/api/v1/plans/shared")).Ok();
    }
}
