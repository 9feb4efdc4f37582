using Wallets.Api.Tests.Infrastructure;

namespace Wallets.Api.Tests.Foundation;

public sealed class PaginationTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private static async Task<HttpClient> WithCustomers(ApiFactory api, int count)
    {
        var client = await api.NewOrganizationClientAsync();
        for (var i = 0; i < count; i++) (await client.PostAsync("/api/v1/customers", new { customer = new { external_id = $"c{i:D2}" } })).Ok();
        return client;
    }

    private static void AssertMeta(System.Text.Json.Nodes.JsonNode body, int current, int? next, int? prev, int pages, int total)
    {
        var meta = body["meta"]!;
        Assert.Equal(current, (int)meta["current_page"]!);
        Assert.Equal(next, (int?)meta["next_page"]);
        Assert.Equal(prev, (int?)meta["prev_page"]);
        Assert.Equal(pages, (int)meta["total_pages"]!);
        Assert.Equal(total, (int)meta["total_count"]!);
    }

    [Fact]
    public async Task No_rows_give_page_zero_of_zero()
    {
        var client = await api.NewOrganizationClientAsync();
        var body = (await client.GetJsonAsync("/api/v1/customers")).Ok();
        Assert.Empty(body["customers"]!.AsArray());
        Assert.Equal("""{"current_page":0,"next_page":null,"prev_page":null,"total_pages":0,"total_count":0}""", body["meta"]!.ToJsonString());
    }

    [Fact]
    public async Task An_exact_multiple_of_per_page_has_no_extra_page()
    {
        var client = await WithCustomers(api, 4);
        var first = (await client.GetJsonAsync("/api/v1/customers?per_page=2")).Ok();
        AssertMeta(first, 1, 2, null, 2, 4);
        var last = (await client.GetJsonAsync("/api/v1/customers?per_page=2&page=2")).Ok();
        AssertMeta(last, 2, null, 1, 2, 4);
        Assert.Equal(2, last["customers"]!.AsArray().Count);
    }

    [Fact]
    public async Task The_last_page_holds_the_remainder_and_pages_are_newest_first()
    {
        var client = await WithCustomers(api, 5);
        var pages = new List<string>();
        for (var page = 1; page <= 3; page++)
        {
            var body = (await client.GetJsonAsync($"/api/v1/customers?per_page=2&page={page}")).Ok();
            pages.AddRange(body["customers"]!.AsArray().Select(c => (string)c!["external_id"]!));
            if (page == 3) AssertMeta(body, 3, null, 2, 3, 5);
        }
        Assert.Equal(["c04", "c03", "c02", "c01", "c00"], pages);
    }

    [Fact]
    public async Task Per_page_defaults_to_100()
    {
        var client = await WithCustomers(api, 3);
        AssertMeta((await client.GetJsonAsync("/api/v1/customers")).Ok(), 1, null, null, 1, 3);
    }

    [Theory]
    [InlineData("page=abc"), InlineData("page=0"), InlineData("page=-1"), InlineData("page="), InlineData("page=1.5"), InlineData("page=%2B2")]
    [InlineData("per_page=-4"), InlineData("per_page=0"), InlineData("per_page=1e3"), InlineData("per_page=%202"), InlineData("per_page=99999999999")]
    [InlineData("page=1&page=2")]
    public async Task Page_and_per_page_that_are_not_positive_integers_are_a_bad_request(string query)
    {
        var client = await api.NewOrganizationClientAsync();
        var name = query[..query.IndexOf('=')];
        foreach (var list in new[] { "customers", "events", "invoices", "wallets", "plans" })
        {
            var reply = await client.GetJsonAsync($"/api/v1/{list}?{query}");
            Assert.Equal($$"""{"status":400,"error":"BadRequest: {{name}} must be a positive integer"}""", reply.Expect(System.Net.HttpStatusCode.BadRequest).ToJsonString());
        }
    }

    [Fact]
    public async Task Per_page_above_1000_answers_a_page_of_1000_and_counts_pages_of_that_size()
    {
        var client = await api.NewOrganizationClientAsync();
        for (var b = 0; b < 11; b++)
        {
            var events = Enumerable.Range(b * 100, b == 10 ? 1 : 100)
                .Select(i => new { transaction_id = $"tx{i}", external_subscription_id = "sub", code = "calls", timestamp = 1767225600 + i });
            (await client.PostAsync("/api/v1/events/batch", new { events })).Ok();
        }
        var body = (await client.GetJsonAsync("/api/v1/events?per_page=1000000")).Ok();
        Assert.Equal(1000, body["events"]!.AsArray().Count);
        AssertMeta(body, 1, 2, null, 2, 1001);
        var last = (await client.GetJsonAsync("/api/v1/events?per_page=5000&page=2")).Ok();
        Assert.Equal("tx0", (string?)Assert.Single(last["events"]!.AsArray())!["transaction_id"]);
        AssertMeta(last, 2, null, 1, 2, 1001);
    }

    [Fact]
    public async Task A_page_past_the_end_is_empty_but_still_counts()
    {
        var client = await WithCustomers(api, 3);
        var body = (await client.GetJsonAsync("/api/v1/customers?per_page=2&page=9")).Ok();
        Assert.Empty(body["customers"]!.AsArray());
        AssertMeta(body, 9, null, 8, 2, 3);
    }
}
