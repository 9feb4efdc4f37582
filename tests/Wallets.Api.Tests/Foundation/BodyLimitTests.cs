using System.Net;
using System.Text;
using Wallets.Api.Tests.Infrastructure;

namespace Wallets.Api.Tests.Foundation;

/// <summary>
/// Documented limits: a body of at most 1 MB (10 MB on /events/batch), an event's properties of at most 64 KB. Past
/// them the answer is a Lago-shaped 413 or 422 and nothing is written, whether the size is declared or streamed.
/// </summary>
public sealed class BodyLimitTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private const string TooLarge = """{"status":413,"error":"Payload Too Large","message":"the request body is limited to {0} bytes"}""";

    private static string EventWithProperties(string id, int bytes) =>
        "{\"event\":{\"transaction_id\":\"" + id + "\",\"external_subscription_id\":\"sub\",\"code\":\"calls\",\"properties\":{\"x\":\""
        + new string('p', bytes - 8) + "\"}}}";

    private static async Task<Reply> SendAsync(HttpClient client, string path, string body, bool chunked = false)
    {
        HttpContent content = chunked
            ? new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(body)))
            : new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        if (chunked) request.Headers.TransferEncodingChunked = true;
        return await Reply.From(await client.SendAsync(request));
    }

    private async Task<long> EventCountAsync() => await api.ScalarAsync<long>("SELECT count(*) FROM events");

    [Fact]
    public async Task An_events_properties_over_64_KB_are_a_field_error_and_write_nothing()
    {
        var client = await api.NewOrganizationClientAsync();
        var before = await EventCountAsync();
        (await SendAsync(client, "/api/v1/events", EventWithProperties("big", 64 * 1024 + 1))).ExpectValidation("properties", "value_is_too_long");
        var batch = "{\"events\":[" + EventWithProperties("ok", 100)[9..^1] + "," + EventWithProperties("big2", 70 * 1024)[9..^1] + "]}";
        var reply = await SendAsync(client, "/api/v1/events/batch", batch);
        Assert.Equal("value_is_too_long", (string?)reply.Expect(HttpStatusCode.UnprocessableEntity)["error_details"]!["1"]!["properties"]![0]);
        Assert.Equal(before, await EventCountAsync());
        (await SendAsync(client, "/api/v1/events", EventWithProperties("fits", 64 * 1024))).Ok();
    }

    [Theory]
    [InlineData(false), InlineData(true)]
    public async Task A_body_over_1_MB_is_a_413_and_writes_nothing(bool chunked)
    {
        var client = await api.NewOrganizationClientAsync();
        var body = "{\"customer\":{\"external_id\":\"huge" + chunked + "\",\"name\":\"" + new string('n', 1024 * 1024) + "\"}}";
        var reply = await SendAsync(client, "/api/v1/customers", body, chunked);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, reply.Status);
        Assert.Equal(TooLarge.Replace("{0}", (1024 * 1024).ToString()), reply.Text);
        Assert.Equal(0L, await api.ScalarAsync<long>("SELECT count(*) FROM customers WHERE external_id LIKE 'huge%'"));
    }

    [Theory]
    [InlineData(false), InlineData(true)]
    public async Task A_batch_may_hold_up_to_10_MB_and_no_more(bool chunked)
    {
        var client = await api.NewOrganizationClientAsync();
        string Batch(string prefix, int propertyBytes) => "{\"events\":[" + string.Join(",", Enumerable.Range(0, 100)
            .Select(i => EventWithProperties($"{prefix}{i}", propertyBytes)[9..^1])) + "]}";

        var fits = Batch($"fits{chunked}", 60 * 1024);
        Assert.InRange(fits.Length, 5 * 1024 * 1024, 10 * 1024 * 1024);
        Assert.Equal(100, (await SendAsync(client, "/api/v1/events/batch", fits, chunked)).Ok()["events"]!.AsArray().Count);

        var before = await EventCountAsync();
        var over = Batch($"over{chunked}", 60 * 1024) + new string(' ', 5 * 1024 * 1024);
        var reply = await SendAsync(client, "/api/v1/events/batch", over, chunked);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, reply.Status);
        Assert.Equal(TooLarge.Replace("{0}", (10 * 1024 * 1024).ToString()), reply.Text);
        Assert.Equal(before, await EventCountAsync());
        // The batch allowance is the batch route's only: a single event of 2 MB is refused.
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await SendAsync(client, "/api/v1/events", EventWithProperties("single", 2 * 1024 * 1024), chunked)).Status);
    }
}
