using System.Text;

namespace Wallets.Api.Tests.Foundation;

/// <summary>Oversized inputs on every write route: declared, streamed, and as one huge value inside a body that fits.</summary>
public sealed partial class HostileInputTests
{
    [Fact]
    public async Task Oversized_bodies_on_every_write_route_are_a_lago_shaped_413_or_422()
    {
        var f = await FixtureAsync();
        var failures = new List<string>();
        string[] writes =
        [
            "customers", "wallets", "customers/acme/wallets", $"wallets/{f.WalletId}", "customers/acme/wallets/main", "wallet_transactions",
            $"wallets/{f.WalletId}/metadata", "billable_metrics", "billable_metrics/upd", "taxes", "taxes/vat", "add_ons", "add_ons/setup", "plans",
            "plans/other", "plans/base/charges", "plans/base/charges/gb_charge", "subscriptions", "subscriptions/sub", "events", "events/batch",
            "invoices", $"invoices/{f.OneOffInvoiceId}", $"invoices/{f.PaidInvoiceId}/void",
        ];
        // 11 MB: past every route's limit, the batch route's included. One huge string value, then plain padding.
        var hugeValue = "{\"x\":{\"name\":\"" + new string('v', 11 * 1024 * 1024) + "\"}}";
        var padded = "{\"x\":{}}" + new string(' ', 11 * 1024 * 1024);
        foreach (var path in writes)
            foreach (var method in new[] { HttpMethod.Post, HttpMethod.Put })
                foreach (var (body, chunked) in new[] { (hugeValue, false), (padded, true) })
                {
                    using var request = new HttpRequestMessage(method, "/api/v1/" + path)
                    {
                        Content = chunked ? new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(body))) : new StringContent(body, Encoding.UTF8, "application/json"),
                    };
                    if (chunked) request.Headers.TransferEncodingChunked = true;
                    await CheckAsync(f.Client, failures, request, chunked ? "11 MB, chunked" : "11 MB");
                }
        // A value far past any column inside a body under the limit: a 422 (or 400), never a 500.
        var bigName = new string('n', 900 * 1024);
        static string Json(object o) => System.Text.Json.JsonSerializer.Serialize(o);
        await CheckAsync(f.Client, failures, HttpMethod.Post, "/api/v1/customers", Json(new { customer = new { external_id = bigName } }));
        await CheckAsync(f.Client, failures, HttpMethod.Post, "/api/v1/events", Json(new { @event = new { transaction_id = "t", external_subscription_id = bigName, code = "gb" } }));
        await CheckAsync(f.Client, failures, HttpMethod.Post, "/api/v1/events", Json(new { @event = new { transaction_id = "t", external_subscription_id = "sub", code = "gb", properties = new { k = bigName } } }));
        AssertNone(failures);
    }
}
