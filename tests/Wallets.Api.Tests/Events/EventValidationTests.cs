using System.Net;
using System.Text.Json.Nodes;
using Wallets.Api.Tests.Infrastructure;

namespace Wallets.Api.Tests.Events;

/// <summary>Every refusal of `POST /events`: Lago's exact body, and no event or usage written.</summary>
public sealed class EventValidationTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private const string Absent = "<absent>";

    private static Dictionary<string, object?> Event(params (string Field, object? Value)[] changes)
    {
        var fields = new Dictionary<string, object?> { ["transaction_id"] = "tx_1", ["external_subscription_id"] = "sub_1", ["code"] = "calls" };
        foreach (var (field, value) in changes)
        {
            if (value as string == Absent) fields.Remove(field);
            else fields[field] = value;
        }
        return fields;
    }

    [Theory]
    [InlineData("""{"transaction_id":"t","code":"calls"}""")]
    [InlineData("""{"event":{}}""")]
    [InlineData("""{"event":null}""")]
    [InlineData("""{"event":[]}""")]
    [InlineData("""{"event":""}""")]
    public async Task A_body_without_its_event_root_is_a_400_and_stores_nothing(string body)
    {
        var client = await api.NewOrganizationClientAsync();
        (await api.NoUsageChangeAsync(() => client.PostAsync("/api/v1/events", body))).ExpectMissingRoot("event");
    }

    [Theory]
    [InlineData("transaction_id", Absent, "value_is_mandatory")]
    [InlineData("transaction_id", null, "value_is_mandatory")]
    [InlineData("transaction_id", "  ", "value_is_mandatory")]
    [InlineData("code", Absent, "value_is_mandatory")]
    [InlineData("code", "", "value_is_mandatory")]
    [InlineData("external_subscription_id", Absent, "value_is_mandatory")]
    [InlineData("external_subscription_id", "", "value_is_mandatory")]
    [InlineData("timestamp", "yesterday", "invalid_format")]
    [InlineData("timestamp", "", "invalid_format")]
    [InlineData("timestamp", true, "invalid_format")]
    [InlineData("timestamp", "1e30", "invalid_format")]
    [InlineData("timestamp", "2026-13-45T00:00:00Z", "invalid_format")]
    [InlineData("properties", "gb", "value_is_invalid")]
    [InlineData("properties", 12, "value_is_invalid")]
    [InlineData("precise_total_amount_cents", "a lot", "value_is_invalid")]
    [InlineData("transaction_id", "nul\u0000char", "value_is_invalid")]
    public async Task An_invalid_field_is_lagos_422_and_stores_nothing(string field, object? value, string code)
    {
        var client = await api.NewOrganizationClientAsync();
        (await api.NoUsageChangeAsync(() => client.SendEventAsync(Event((field, value)))))
            .ExpectLagoValidation(field, code);
    }

    [Fact]
    public async Task Objects_where_scalars_belong_and_unstorable_properties_are_refused_not_500s()
    {
        var client = await api.NewOrganizationClientAsync();
        var before = await api.UsageStateAsync();
        (await client.SendEventAsync(Event(("transaction_id", new { a = 1 })))).ExpectLagoValidation("transaction_id", "value_is_invalid");
        (await client.SendEventAsync(Event(("timestamp", new[] { 1 })))).ExpectLagoValidation("timestamp", "invalid_format");
        (await client.SendEventAsync(Event(("properties", new { text = "a\u0000b" })))).ExpectLagoValidation("properties", "value_is_invalid");
        (await client.PostAsync("/api/v1/events", """{"event":{"transaction_id":"t","external_subscription_id":"s","code":"c","properties":{"n":1e999999}}}"""))
            .ExpectLagoValidation("properties", "value_is_invalid");
        (await client.PostAsync("/api/v1/events", """{"event":{"transaction_id":"t","external_subscription_id":"s","code":"c","properties":{"s":"\ud800"}}}"""))
            .ExpectLagoValidation("properties", "value_is_invalid");
        (await client.SendEventAsync(Event(("transaction_id", new string('x', 2000))))).ExpectLagoValidation("transaction_id", "value_is_too_long");
        (await client.SendEventAsync(Event(("properties", new { target_wallet_code = new string('w', 2000) })))).ExpectLagoValidation("target_wallet_code", "value_is_too_long");
        Assert.Equal(before, await api.UsageStateAsync());
    }

    [Fact]
    public async Task Several_problems_are_reported_together()
    {
        var client = await api.NewOrganizationClientAsync();
        var body = (await client.SendEventAsync(new { timestamp = "soon" })).Expect(HttpStatusCode.UnprocessableEntity);
        Assert.Equal("""{"transaction_id":["value_is_mandatory"],"code":["value_is_mandatory"],"external_subscription_id":["value_is_mandatory"],"timestamp":["invalid_format"]}""",
            body["error_details"]!.ToJsonString());
    }

    [Fact]
    public async Task A_customer_id_alone_is_enough_and_the_event_is_kept_unattached()
    {
        var client = await api.NewOrganizationClientAsync();
        var e = (await client.SendEventAsync(Event(("external_subscription_id", Absent), ("external_customer_id", "acme")))).Ok()["event"]!;
        Assert.Null(e["external_subscription_id"]);
        Assert.Equal("acme", (string?)e["external_customer_id"]);
        Assert.Null(e["lago_subscription_id"]);
    }

    [Fact]
    public async Task A_duplicate_transaction_id_is_value_already_exist_and_changes_nothing()
    {
        var client = await api.NewOrganizationClientAsync();
        var first = (await client.SendEventAsync(Event(("properties", new { value = 1 })))).Ok()["event"]!;
        (await api.NoUsageChangeAsync(() => client.SendEventAsync(Event(("properties", new { value = 2 })))))
            .ExpectLagoValidation("transaction_id", "value_already_exist");
        var stored = (await client.GetJsonAsync("/api/v1/events/tx_1")).Ok()["event"]!;
        Assert.Equal((string?)first["lago_id"], (string?)stored["lago_id"]);
        Assert.Equal(1, (int)stored["properties"]!["value"]!);
        // The same transaction_id on another subscription is another event, as in Lago.
        (await client.SendEventAsync(Event(("external_subscription_id", "sub_2")))).Ok();
    }

    [Fact]
    public async Task An_unknown_event_is_lagos_404()
    {
        var client = await api.NewOrganizationClientAsync();
        (await client.GetJsonAsync("/api/v1/events/nope")).ExpectNotFound("event");
    }

    [Fact]
    public async Task Listing_refuses_an_unreadable_date_filter()
    {
        var client = await api.NewOrganizationClientAsync();
        (await client.GetJsonAsync("/api/v1/events?timestamp_from=someday")).ExpectLagoValidation("timestamp_from", "invalid_date");
        (await client.GetJsonAsync("/api/v1/events?timestamp_to=2026-02-30")).ExpectLagoValidation("timestamp_to", "invalid_date");
    }

}
