using Wallets.Api.Tests.Infrastructure;
using static Wallets.Api.Tests.Plans.PlanTests;

namespace Wallets.Api.Tests.Subscriptions;

/// <summary>The API clock reads 2026-01-15T10:00:00Z (see ApiFactory).</summary>
public sealed class SubscriptionTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private static async Task<HttpClient> WithPlanAsync(ApiFactory api, string planCode = "basic", string currency = "EUR")
    {
        var client = await api.NewOrganizationClientAsync();
        var metric = await MetricAsync(client, "calls", "count_agg");
        var plan = Plan(planCode, new { billable_metric_id = metric, charge_model = "standard", properties = new { amount = "0.01" } });
        plan["amount_currency"] = currency;
        (await client.PostAsync("/api/v1/plans", new { plan })).Ok();
        return client;
    }

    private static object Subscribe(string externalId, string customer = "acme", string plan = "basic", object? extra = null) =>
        new { subscription = Merge(new Dictionary<string, object?> { ["external_id"] = externalId, ["external_customer_id"] = customer, ["plan_code"] = plan }, extra) };

    private static Dictionary<string, object?> Merge(Dictionary<string, object?> body, object? extra)
    {
        foreach (var p in extra?.GetType().GetProperties() ?? []) body[p.Name] = p.GetValue(extra);
        return body;
    }

    private Task<long> CountAsync(string externalId) =>
        api.ScalarAsync<long>("SELECT count(*) FROM subscriptions WHERE external_id = @e", ("e", externalId));

    [Fact]
    public async Task Create_returns_lagos_subscription_object_with_its_plan_and_current_period()
    {
        var client = await WithPlanAsync(api);
        var customer = (await client.PostAsync("/api/v1/customers", new { customer = new { external_id = "acme" } })).Ok()["customer"]!;

        var sub = (await client.PostAsync("/api/v1/subscriptions", Subscribe("sub_1", extra: new { name = "Repo A" }))).Ok()["subscription"]!;

        Assert.Matches("^[0-9a-f-]{36}$", (string?)sub["lago_id"]);
        Assert.Equal("sub_1", (string?)sub["external_id"]);
        Assert.Equal((string?)customer["lago_id"], (string?)sub["lago_customer_id"]);
        Assert.Equal("acme", (string?)sub["external_customer_id"]);
        Assert.Equal("Repo A", (string?)sub["name"]);
        Assert.Equal("basic", (string?)sub["plan_code"]);
        Assert.Equal(10_000, (long)sub["plan_amount_cents"]!);
        Assert.Equal("EUR", (string?)sub["plan_amount_currency"]);
        Assert.Equal("active", (string?)sub["status"]);
        Assert.Equal("calendar", (string?)sub["billing_time"]);
        Assert.Equal("2026-01-15T10:00:00Z", (string?)sub["subscription_at"]);
        Assert.Equal("2026-01-15T10:00:00Z", (string?)sub["started_at"]);
        Assert.Equal("2026-01-15T10:00:00Z", (string?)sub["current_billing_period_started_at"]);
        Assert.Equal("2026-01-31T23:59:59Z", (string?)sub["current_billing_period_ending_at"]);
        foreach (var empty in new[] { "ending_at", "terminated_at", "canceled_at", "previous_plan_code", "next_plan_code", "downgrade_plan_date", "trial_ended_at" })
            Assert.Null(sub[empty]);
        Assert.Equal("basic", (string?)sub["plan"]!["code"]);
        Assert.Equal("calls", (string?)sub["plan"]!["charges"]![0]!["code"]);
        // The customer takes the plan's currency, as in Lago.
        Assert.Equal("EUR", (string?)(await client.GetJsonAsync("/api/v1/customers/acme")).Ok()["customer"]!["currency"]);
    }

    [Fact]
    public async Task Anniversary_billing_periods_start_on_the_subscription_day()
    {
        var client = await WithPlanAsync(api);
        var sub = (await client.PostAsync("/api/v1/subscriptions", Subscribe("ann", extra: new { billing_time = "anniversary", subscription_at = "2025-12-31T08:00:00Z" }))).Ok()["subscription"]!;
        Assert.Equal("active", (string?)sub["status"]);
        Assert.Equal("2025-12-31T08:00:00Z", (string?)sub["started_at"]);
        Assert.Equal("2025-12-31T08:00:00Z", (string?)sub["current_billing_period_started_at"]);
        Assert.Equal("2026-01-30T23:59:59Z", (string?)sub["current_billing_period_ending_at"]);
    }

    [Fact]
    public async Task A_future_subscription_is_pending_until_its_date_is_moved_to_today()
    {
        var client = await WithPlanAsync(api);
        var sub = (await client.PostAsync("/api/v1/subscriptions", Subscribe("later", extra: new { subscription_at = "2026-03-01T00:00:00Z" }))).Ok()["subscription"]!;
        Assert.Equal("pending", (string?)sub["status"]);
        Assert.Null(sub["started_at"]);
        Assert.Null(sub["current_billing_period_started_at"]);

        Assert.Equal(0, (int)(await client.GetJsonAsync("/api/v1/subscriptions")).Ok()["meta"]!["total_count"]!);
        Assert.Equal(["later"], (await client.GetJsonAsync("/api/v1/subscriptions?status[]=pending&status[]=active")).Ok()["subscriptions"]!.AsArray().Select(s => (string?)s!["external_id"]));
        (await client.GetJsonAsync("/api/v1/subscriptions/later")).ExpectNotFound("subscription");
        Assert.Equal("pending", (string?)(await client.GetJsonAsync("/api/v1/subscriptions/later?status=pending")).Ok()["subscription"]!["status"]);

        var started = (await client.PutAsync("/api/v1/subscriptions/later", new { subscription = new { subscription_at = "2026-01-10T00:00:00Z" } })).Ok()["subscription"]!;
        Assert.Equal("active", (string?)started["status"]);
        Assert.Equal("2026-01-10T00:00:00Z", (string?)started["started_at"]);
    }

    [Fact]
    public async Task An_unknown_customer_is_created_with_the_plans_currency_but_an_unknown_plan_is_a_404()
    {
        var client = await WithPlanAsync(api, currency: "USD");
        (await client.PostAsync("/api/v1/subscriptions", Subscribe("s", customer: "newcomer", plan: "nope"))).ExpectNotFound("plan");
        Assert.Equal(0L, await api.ScalarAsync<long>("SELECT count(*) FROM customers WHERE external_id = 'newcomer'"));

        var sub = (await client.PostAsync("/api/v1/subscriptions", Subscribe("s", customer: "newcomer"))).Ok()["subscription"]!;
        var customer = (await client.GetJsonAsync("/api/v1/customers/newcomer")).Ok()["customer"]!;
        Assert.Equal((string?)customer["lago_id"], (string?)sub["lago_customer_id"]);
        Assert.Equal("USD", (string?)customer["currency"]);
    }

    [Theory]
    [InlineData("external_id", null, "value_is_mandatory")]
    [InlineData("external_customer_id", "", "value_is_mandatory")]
    [InlineData("billing_time", "weekly", "value_is_invalid")]
    [InlineData("subscription_at", "15/01/2026", "invalid_date")]
    [InlineData("subscription_at", "0001-01-01T00:00:00Z", "invalid_date")]
    [InlineData("ending_at", "2026-01-15T23:00:00Z", "invalid_date")]
    [InlineData("ending_at", "not a date", "invalid_date")]
    public async Task Invalid_fields_are_422_and_write_nothing(string field, string? value, string code)
    {
        var client = await WithPlanAsync(api);
        var body = new Dictionary<string, object?> { ["external_id"] = "bad", ["external_customer_id"] = "acme", ["plan_code"] = "basic", [field] = value };
        (await client.PostAsync("/api/v1/subscriptions", new { subscription = body })).ExpectValidation(field, code);
        Assert.Equal(0, await CountAsync("bad"));
        Assert.Equal(0L, await api.ScalarAsync<long>("SELECT count(*) FROM customers WHERE external_id = 'acme'"));
    }

    [Fact]
    public async Task A_customer_billed_in_another_currency_cannot_subscribe()
    {
        var client = await WithPlanAsync(api, currency: "EUR");
        (await client.PostAsync("/api/v1/customers", new { customer = new { external_id = "acme", currency = "USD" } })).Ok();
        (await client.PostAsync("/api/v1/subscriptions", Subscribe("fx"))).ExpectValidation("currency", "currencies_does_not_match");
        Assert.Equal(0, await CountAsync("fx"));
    }

    [Fact]
    public async Task One_live_subscription_per_external_id_and_the_same_request_again_returns_it()
    {
        var client = await WithPlanAsync(api);
        var first = (await client.PostAsync("/api/v1/subscriptions", Subscribe("once"))).Ok()["subscription"]!;
        var again = (await client.PostAsync("/api/v1/subscriptions", Subscribe("once"))).Ok()["subscription"]!;
        Assert.Equal((string?)first["lago_id"], (string?)again["lago_id"]);

        (await client.PostAsync("/api/v1/subscriptions", Subscribe("once", customer: "other"))).ExpectValidation("external_id", "value_already_exist");
        Assert.Equal(1, await CountAsync("once"));
    }

    [Fact]
    public async Task Delete_terminates_then_the_external_id_is_free_again()
    {
        var client = await WithPlanAsync(api);
        var created = (await client.PostAsync("/api/v1/subscriptions", Subscribe("end"))).Ok()["subscription"]!;
        var ended = (await client.DeleteJsonAsync("/api/v1/subscriptions/end")).Ok()["subscription"]!;
        Assert.Equal((string?)created["lago_id"], (string?)ended["lago_id"]);
        Assert.Equal("terminated", (string?)ended["status"]);
        Assert.StartsWith("2026-01-15T10:00:", (string?)ended["terminated_at"]);
        Assert.Equal((string?)ended["terminated_at"], (string?)ended["current_billing_period_ending_at"]);

        (await client.GetJsonAsync("/api/v1/subscriptions/end")).ExpectNotFound("subscription");
        (await client.DeleteJsonAsync("/api/v1/subscriptions/end")).ExpectNotFound("subscription");
        Assert.Equal("terminated", (string?)(await client.GetJsonAsync("/api/v1/subscriptions/end?status=terminated")).Ok()["subscription"]!["status"]);

        var renewed = (await client.PostAsync("/api/v1/subscriptions", Subscribe("end"))).Ok()["subscription"]!;
        Assert.NotEqual((string?)created["lago_id"], (string?)renewed["lago_id"]);
    }

    [Fact]
    public async Task Deleting_with_status_pending_cancels_a_pending_subscription()
    {
        var client = await WithPlanAsync(api);
        (await client.PostAsync("/api/v1/subscriptions", Subscribe("soon", extra: new { subscription_at = "2026-06-01" }))).Ok();
        (await client.DeleteJsonAsync("/api/v1/subscriptions/soon")).ExpectNotFound("subscription");
        var canceled = (await client.DeleteJsonAsync("/api/v1/subscriptions/soon?status=pending")).Ok()["subscription"]!;
        Assert.Equal("canceled", (string?)canceled["status"]);
        Assert.NotNull((string?)canceled["canceled_at"]);
        Assert.Null(canceled["terminated_at"]);
    }

    [Fact]
    public async Task Update_changes_name_and_end_date_and_checks_the_date()
    {
        var client = await WithPlanAsync(api);
        (await client.PostAsync("/api/v1/subscriptions", Subscribe("upd", extra: new { name = "Old" }))).Ok();
        var sub = (await client.PutAsync("/api/v1/subscriptions/upd", new { subscription = new { name = "New", ending_at = "2026-12-31T00:00:00Z" } })).Ok()["subscription"]!;
        Assert.Equal("New", (string?)sub["name"]);
        Assert.Equal("2026-12-31T00:00:00Z", (string?)sub["ending_at"]);

        (await client.PutAsync("/api/v1/subscriptions/upd", new { subscription = new { ending_at = "2020-01-01T00:00:00Z" } })).ExpectValidation("ending_at", "invalid_date");
        (await client.PutAsync("/api/v1/subscriptions/nope", new { subscription = new { name = "x" } })).ExpectNotFound("subscription");
        Assert.Equal("2026-12-31T00:00:00Z", (string?)(await client.GetJsonAsync("/api/v1/subscriptions/upd")).Ok()["subscription"]!["ending_at"]);
    }

    [Fact]
    public async Task Lists_filter_by_customer_and_plan()
    {
        var client = await WithPlanAsync(api);
        (await client.PostAsync("/api/v1/plans", new { plan = Plan("pro") })).Ok();
        (await client.PostAsync("/api/v1/subscriptions", Subscribe("a1", customer: "a"))).Ok();
        (await client.PostAsync("/api/v1/subscriptions", Subscribe("a2", customer: "a", plan: "pro"))).Ok();
        (await client.PostAsync("/api/v1/subscriptions", Subscribe("b1", customer: "b"))).Ok();

        string[] Ids(Reply reply) => reply.Ok()["subscriptions"]!.AsArray().Select(s => (string)s!["external_id"]!).ToArray();
        Assert.Equal(["b1", "a2", "a1"], Ids(await client.GetJsonAsync("/api/v1/subscriptions")));
        Assert.Equal(["a2", "a1"], Ids(await client.GetJsonAsync("/api/v1/subscriptions?external_customer_id=a")));
        Assert.Equal(["b1", "a1"], Ids(await client.GetJsonAsync("/api/v1/subscriptions?plan_code=basic")));
        Assert.Equal(["a2"], Ids(await client.GetJsonAsync("/api/v1/customers/a/subscriptions?plan_code=pro")));
        (await client.GetJsonAsync("/api/v1/customers/nobody/subscriptions")).ExpectNotFound("customer");
    }

    [Fact]
    public async Task Another_organizations_subscription_is_a_404()
    {
        var mine = await WithPlanAsync(api);
        var theirs = await WithPlanAsync(api);
        (await theirs.PostAsync("/api/v1/subscriptions", Subscribe("shared"))).Ok();

        (await mine.GetJsonAsync("/api/v1/subscriptions/shared")).ExpectNotFound("subscription");
        (await mine.DeleteJsonAsync("/api/v1/subscriptions/shared")).ExpectNotFound("subscription");
        (await mine.PutAsync("/api/v1/subscriptions/shared", new { subscription = new { name = "x" } })).ExpectNotFound("subscription");
        (await mine.GetJsonAsync("/api/v1/customers/acme/subscriptions")).ExpectNotFound("customer");
        Assert.Equal(0, (int)(await mine.GetJsonAsync("/api/v1/subscriptions")).Ok()["meta"]!["total_count"]!);
        Assert.Equal(0, (int)(await mine.GetJsonAsync("/api/v1/subscriptions?plan_code=basic&status[]=active&status[]=terminated")).Ok()["meta"]!["total_count"]!);
        Assert.Equal("active", (string?)(await theirs.GetJsonAsync("/api/v1/subscriptions/shared")).Ok()["subscription"]!["status"]);
    }
}
