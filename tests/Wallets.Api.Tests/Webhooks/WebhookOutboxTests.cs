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

    [Fact]
    public async Task Deleting_an_endpoint_deletes_its_deliveries_even_those_of_a_change_it_waited_for()
    {
        var (organizationId, _) = await NewOrganizationAsync();
        var kept = await AddEndpointAsync(organizationId, "https://kept.example", null);
        var deleted = await AddEndpointAsync(organizationId, "https://deleted.example", null);
        var message = new WebhookMessage(organizationId, "customer.created", "customer", new { lago_id = "c1" });
        await using var scope = api.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<WalletsDbContext>();

        // A change writing its webhooks holds the endpoints it wrote to: the deletion waits for it to commit.
        Task deletion;
        await using (var tx = await db.Database.BeginTransactionAsync())
        {
            await db.EnqueueAsync(message, Now, default);
            deletion = DeleteEndpointWhenItWaitsAsync(deleted);
            await WaitForLockWaitAsync();
            await tx.CommitAsync();
        }
        await deletion;
        Assert.Equal([kept], await ListAsync($"SELECT webhook_endpoint_id::text FROM webhooks WHERE organization_id = '{organizationId}'"));

        // And a change made while an endpoint is being deleted waits for the deletion, then writes nothing to it.
        var other = await AddEndpointAsync(organizationId, "https://other.example", null);
        await using (var deleting = new Npgsql.NpgsqlConnection(api.ConnectionString))
        {
            await deleting.OpenAsync();
            await using var deleteTx = await deleting.BeginTransactionAsync();
            await using (var delete = new Npgsql.NpgsqlCommand($"DELETE FROM webhook_endpoints WHERE id = '{other}'", deleting, deleteTx))
                await delete.ExecuteNonQueryAsync();
            var change = Task.Run(async () =>
            {
                await using var changeScope = api.Services.CreateAsyncScope();
                var changeDb = changeScope.ServiceProvider.GetRequiredService<WalletsDbContext>();
                await using var tx = await changeDb.Database.BeginTransactionAsync();
                await changeDb.EnqueueAsync(message, Now, default);
                await tx.CommitAsync();
            });
            await WaitForLockWaitAsync();
            await deleteTx.CommitAsync();
            await change;
        }
        Assert.Equal([kept, kept], await ListAsync($"SELECT webhook_endpoint_id::text FROM webhooks WHERE organization_id = '{organizationId}'"));
    }

    private Task DeleteEndpointWhenItWaitsAsync(string endpointId) => Task.Run(async () =>
    {
        await using var connection = new Npgsql.NpgsqlConnection(api.ConnectionString);
        await connection.OpenAsync();
        await using var delete = new Npgsql.NpgsqlCommand($"DELETE FROM webhook_endpoints WHERE id = '{endpointId}'", connection);
        await delete.ExecuteNonQueryAsync();
    });

    /// <summary>Until some session of this database waits for a row lock (the other side of the race has reached it).</summary>
    private async Task WaitForLockWaitAsync()
    {
        var until = DateTimeOffset.UtcNow.AddSeconds(30);
        while (await api.ScalarAsync<long>(
                   "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'") == 0)
        {
            if (DateTimeOffset.UtcNow > until) throw new Xunit.Sdk.XunitException("nothing waited for the other side's lock");
            await Task.Delay(20);
        }
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
