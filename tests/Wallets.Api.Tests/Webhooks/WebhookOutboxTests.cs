using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Wallets.Api.Data;
using Wallets.Api.Features.Organizations;
using Wallets.Api.Features.Webhooks;
using Wallets.Api.Tests.Infrastructure;

namespace Wallets.Api.Tests.Webhooks;

/// <summary>The outbox writer: one delivery row per subscribed endpoint, in the change's transaction, or none.</summary>
public sealed class WebhookOutboxTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private static readonly DateTimeOffset Now = new(2026, 1, 15, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_message_fans_out_to_each_endpoint_that_subscribes_to_its_type_with_Lagos_body()
    {
        var (organizationId, _) = await NewOrganizationAsync();
        var all = await AddEndpointAsync(organizationId, "https://all.example", null);
        var wallets = await AddEndpointAsync(organizationId, "https://wallets.example", ["wallet.created"]);
        await AddEndpointAsync(organizationId, "https://invoices.example", ["invoice.created"]);
        var (otherOrganization, _) = await NewOrganizationAsync();
        await AddEndpointAsync(otherOrganization, "https://other.example", null);

        await using (var scope = api.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<WalletsDbContext>();
            await using var tx = await db.Database.BeginTransactionAsync();
            await db.EnqueueAsync(new WebhookMessage(organizationId, "wallet.created", "wallet", new { lago_id = "w1", credits = 1.5m }), Now, default);
            await tx.CommitAsync();
        }

        var endpoints = await ListAsync($"SELECT webhook_endpoint_id::text FROM webhooks WHERE organization_id = '{organizationId}' ORDER BY 1");
        Assert.Equal(new[] { all, wallets }.Order(), endpoints);
        var body = JsonDocument.Parse(await api.ScalarAsync<string>(
            $"SELECT payload::text FROM webhooks WHERE webhook_endpoint_id = '{all}'")).RootElement;
        Assert.Equal("wallet.created", body.GetProperty("webhook_type").GetString());
        Assert.Equal("wallet", body.GetProperty("object_type").GetString());
        Assert.Equal(organizationId.ToString(), body.GetProperty("organization_id").GetString());
        Assert.Equal("1.5", body.GetProperty("wallet").GetProperty("credits").GetString());
        Assert.Equal(0L, await api.ScalarAsync<long>($"SELECT count(*) FROM webhooks WHERE organization_id = '{otherOrganization}'"));
    }

    [Fact]
    public async Task A_rolled_back_change_leaves_no_webhook_and_a_message_outside_a_transaction_is_refused()
    {
        var (organizationId, _) = await NewOrganizationAsync();
        await AddEndpointAsync(organizationId, "https://rollback.example", null);
        await using var scope = api.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<WalletsDbContext>();
        var message = new WebhookMessage(organizationId, "customer.created", "customer", new { lago_id = "c1" });

        await using (var tx = await db.Database.BeginTransactionAsync())
        {
            await db.EnqueueAsync(message, Now, default);
            await tx.RollbackAsync();
        }
        await Assert.ThrowsAsync<InvalidOperationException>(() => db.EnqueueAsync(message, Now, default));
        Assert.Equal(0L, await api.ScalarAsync<long>($"SELECT count(*) FROM webhooks WHERE organization_id = '{organizationId}'"));
    }

    private async Task<(Guid Id, string Key)> NewOrganizationAsync()
    {
        await using var scope = api.Services.CreateAsyncScope();
        var (organization, key) = await OrganizationSetup.CreateAsync(scope.ServiceProvider.GetRequiredService<WalletsDbContext>(), "outbox", api.Clock);
        return (organization.Id, key);
    }

    private async Task<string> AddEndpointAsync(Guid organizationId, string url, string[]? eventTypes)
    {
        var id = Ids.New();
        await using var scope = api.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<WalletsDbContext>();
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO webhook_endpoints (id, organization_id, webhook_url, event_types, created_at, updated_at)
            VALUES ({id}, {organizationId}, {url}, {eventTypes}, {Now}, {Now})
            """);
        return id.ToString();
    }

    private async Task<List<string>> ListAsync(string sql)
    {
        await using var connection = new Npgsql.NpgsqlConnection(api.ConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var values = new List<string>();
        while (await reader.ReadAsync()) values.Add(reader.GetString(0));
        return values;
    }
}
