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
    public async Task Per_page_defaults_to_100_and_bad_values_fall_back_to_defaults()
    {
        var client = await WithCustomers(api, 3);
        AssertMeta((await client.GetJsonAsync("/api/v1/customers")).Ok(), 1, null, null, 1, 3);
        AssertMeta((await client.GetJsonAsync("/api/v1/customers?page=abc&per_page=-4")).Ok(), 1, null, null, 1, 3);
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
