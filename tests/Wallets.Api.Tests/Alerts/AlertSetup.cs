using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Wallets.Api.Data;
using Wallets.Api.Features.Organizations;
using Wallets.Api.Tests.Infrastructure;

namespace Wallets.Api.Tests.Alerts;

public static class AlertSetup
{
    /// <summary>A new organization with one webhook endpoint subscribed to everything.</summary>
    public static async Task<(HttpClient Client, Guid Organization)> AlertingOrganizationAsync(this ApiFactory api)
    {
        await using var scope = api.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<WalletsDbContext>();
        var (organization, key) = await OrganizationSetup.CreateAsync(db, "alerts", api.Clock);
        var now = api.Clock.GetUtcNow();
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO webhook_endpoints (id, organization_id, webhook_url, created_at, updated_at)
            VALUES ({Ids.New()}, {organization.Id}, {"https://hooks.example/" + organization.Id}, {now}, {now})
            """);
        return (api.ClientWithKey(key), organization.Id);
    }

    /// <summary>The `triggered_alert` objects of the organization's outbox, in the order they were written.</summary>
    public static async Task<List<JsonNode>> TriggeredAsync(this ApiFactory api, Guid organization, string type = "alert.triggered")
    {
        await using var connection = new NpgsqlConnection(api.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT payload::text FROM webhooks WHERE organization_id = $1 AND webhook_type = $2 ORDER BY created_at, ctid", connection)
        { Parameters = { new NpgsqlParameter { Value = organization }, new NpgsqlParameter { Value = type } } };
        await using var reader = await command.ExecuteReaderAsync();
        var payloads = new List<JsonNode>();
        while (await reader.ReadAsync())
        {
            var payload = JsonNode.Parse(reader.GetString(0))!;
            payloads.Add(payload[(string)payload["object_type"]!]!);
        }
        return payloads;
    }

    public static string Summary(JsonNode alert) =>
        $"{alert["alert_code"]} {alert["previous_value"]}->{alert["current_value"]} [{string.Join(",", alert["crossed_thresholds"]!.AsArray().Select(t => (string)t!["value"]!))}]";
}
