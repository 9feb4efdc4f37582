using Wallets.Api.Tests.Infrastructure;

namespace Wallets.Api.Tests.BillableMetrics;

public sealed class BillableMetricTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private static object Metric(string code, string aggregation = "sum_agg", string? field = "gb") =>
        new { billable_metric = new { name = "Storage", code, aggregation_type = aggregation, field_name = field } };

    private Task<long> CountAsync(string code) =>
        api.ScalarAsync<long>("SELECT count(*) FROM billable_metrics WHERE code = @c", ("c", code));

    [Fact]
    public async Task Create_returns_lagos_billable_metric_object()
    {
        var client = await api.NewOrganizationClientAsync();
        var metric = (await client.PostAsync("/api/v1/billable_metrics", new
        {
            billable_metric = new
            {
                name = "Storage", code = "storage", description = "GB stored", aggregation_type = "sum_agg", field_name = "gb",
                recurring = true, rounding_function = "ceil", rounding_precision = 2,
                filters = new[] { new { key = "region", values = new[] { "eu", "us" } } },
            },
        })).Ok()["billable_metric"]!;

        Assert.Matches("^[0-9a-f-]{36}$", (string?)metric["lago_id"]);
        Assert.Equal("storage", (string?)metric["code"]);
        Assert.Equal("GB stored", (string?)metric["description"]);
        Assert.Equal("sum_agg", (string?)metric["aggregation_type"]);
        Assert.Equal("gb", (string?)metric["field_name"]);
        Assert.True((bool)metric["recurring"]!);
        Assert.Equal("ceil", (string?)metric["rounding_function"]);
        Assert.Equal(2, (int)metric["rounding_precision"]!);
        Assert.Null(metric["weighted_interval"]);
        Assert.Null(metric["expression"]);
        Assert.Equal("""[{"key":"region","values":["eu","us"]}]""", metric["filters"]!.ToJsonString());
        Assert.Equal(0, (int)metric["plans_count"]!);
        Assert.Equal(0, (int)metric["active_subscriptions_count"]!);
        Assert.Equal(0, (int)metric["draft_invoices_count"]!);
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", (string?)metric["created_at"]);
    }

    [Fact]
    public async Task A_count_metric_needs_no_field_name()
    {
        var client = await api.NewOrganizationClientAsync();
        var metric = (await client.PostAsync("/api/v1/billable_metrics", Metric("calls", "count_agg", null))).Ok()["billable_metric"]!;
        Assert.Null(metric["field_name"]);
        Assert.False((bool)metric["recurring"]!);
    }

    [Theory]
    [InlineData("aggregation_type", "weighted_sum_agg", "value_is_invalid")]
    [InlineData("aggregation_type", "median_agg", "value_is_invalid")]
    [InlineData("aggregation_type", null, "value_is_invalid")]
    [InlineData("field_name", null, "value_is_mandatory")]
    [InlineData("field_name", "", "value_is_mandatory")]
    [InlineData("name", "", "value_is_mandatory")]
    [InlineData("rounding_function", "truncate", "value_is_invalid")]
    [InlineData("recurring", "yes", "value_is_invalid")]
    public async Task Invalid_fields_are_422_and_create_nothing(string field, string? value, string code)
    {
        var client = await api.NewOrganizationClientAsync();
        var body = new Dictionary<string, object?> { ["name"] = "M", ["code"] = $"bad_{field}", ["aggregation_type"] = "sum_agg", ["field_name"] = "gb", [field] = value };
        (await client.PostAsync("/api/v1/billable_metrics", new { billable_metric = body })).ExpectValidation(field, code);
        Assert.Equal(0, await CountAsync($"bad_{field}"));
    }

    [Fact]
    public async Task Recurring_is_refused_for_counts_maxima_and_latest_values()
    {
        var client = await api.NewOrganizationClientAsync();
        (await client.PostAsync("/api/v1/billable_metrics", new { billable_metric = new { name = "M", code = "rec_max", aggregation_type = "max_agg", field_name = "x", recurring = true } }))
            .ExpectValidation("recurring", "not_compatible_with_aggregation_type");
        Assert.Equal(0, await CountAsync("rec_max"));
    }

    [Fact]
    public async Task Filters_without_values_are_refused()
    {
        var client = await api.NewOrganizationClientAsync();
        (await client.PostAsync("/api/v1/billable_metrics", new { billable_metric = new { name = "M", code = "bad_filters", aggregation_type = "count_agg", filters = new[] { new { key = "region", values = Array.Empty<string>() } } } }))
            .ExpectValidation("filters", "value_is_invalid");
        Assert.Equal(0, await CountAsync("bad_filters"));
    }

    [Fact]
    public async Task A_duplicate_code_is_value_already_exist_but_a_deleted_code_is_free_again()
    {
        var client = await api.NewOrganizationClientAsync();
        (await client.PostAsync("/api/v1/billable_metrics", Metric("dup"))).Ok();
        (await client.PostAsync("/api/v1/billable_metrics", Metric("dup"))).ExpectValidation("code", "value_already_exist");
        Assert.Equal(1, await CountAsync("dup"));

        (await client.DeleteJsonAsync("/api/v1/billable_metrics/dup")).Ok();
        (await client.PostAsync("/api/v1/billable_metrics", Metric("dup"))).Ok();
    }

    [Fact]
    public async Task Update_changes_only_the_fields_sent_and_checks_the_result()
    {
        var client = await api.NewOrganizationClientAsync();
        (await client.PostAsync("/api/v1/billable_metrics", Metric("upd"))).Ok();

        var updated = (await client.PutAsync("/api/v1/billable_metrics/upd", new { billable_metric = new { name = "Renamed", code = "upd2" } })).Ok()["billable_metric"]!;
        Assert.Equal("Renamed", (string?)updated["name"]);
        Assert.Equal("upd2", (string?)updated["code"]);
        Assert.Equal("gb", (string?)updated["field_name"]);
        (await client.GetJsonAsync("/api/v1/billable_metrics/upd")).ExpectNotFound("billable_metric");

        (await client.PutAsync("/api/v1/billable_metrics/upd2", new { billable_metric = new { field_name = (string?)null } })).ExpectValidation("field_name", "value_is_mandatory");
        Assert.Equal("gb", (string?)(await client.GetJsonAsync("/api/v1/billable_metrics/upd2")).Ok()["billable_metric"]!["field_name"]);
    }

    [Fact]
    public async Task List_is_paginated_newest_first()
    {
        var client = await api.NewOrganizationClientAsync();
        foreach (var code in new[] { "l1", "l2", "l3" }) (await client.PostAsync("/api/v1/billable_metrics", Metric(code))).Ok();

        var page = (await client.GetJsonAsync("/api/v1/billable_metrics?per_page=2&page=1")).Ok();
        Assert.Equal(["l3", "l2"], page["billable_metrics"]!.AsArray().Select(m => (string?)m!["code"]));
        Assert.Equal("""{"current_page":1,"next_page":2,"prev_page":null,"total_pages":2,"total_count":3}""", page["meta"]!.ToJsonString());
    }

    [Fact]
    public async Task Delete_returns_the_metric_then_it_is_gone()
    {
        var client = await api.NewOrganizationClientAsync();
        var created = (await client.PostAsync("/api/v1/billable_metrics", Metric("gone"))).Ok()["billable_metric"]!;
        var deleted = (await client.DeleteJsonAsync("/api/v1/billable_metrics/gone")).Ok()["billable_metric"]!;
        Assert.Equal((string?)created["lago_id"], (string?)deleted["lago_id"]);
        (await client.GetJsonAsync("/api/v1/billable_metrics/gone")).ExpectNotFound("billable_metric");
        (await client.DeleteJsonAsync("/api/v1/billable_metrics/gone")).ExpectNotFound("billable_metric");
        (await client.PutAsync("/api/v1/billable_metrics/gone", Metric("gone"))).ExpectNotFound("billable_metric");
    }

    [Fact]
    public async Task Another_organizations_metric_is_a_404()
    {
        var mine = await api.NewOrganizationClientAsync("mine");
        var theirs = await api.NewOrganizationClientAsync("theirs");
        (await theirs.PostAsync("/api/v1/billable_metrics", Metric("shared"))).Ok();

        (await mine.GetJsonAsync("/api/v1/billable_metrics/shared")).ExpectNotFound("billable_metric");
        (await mine.DeleteJsonAsync("/api/v1/billable_metrics/shared")).ExpectNotFound("billable_metric");
        Assert.Equal(0, (int)(await mine.GetJsonAsync("/api/v1/billable_metrics")).Ok()["meta"]!["total_count"]!);
        (await mine.PostAsync("/api/v1/billable_metrics", Metric("shared"))).Ok();
    }
}
