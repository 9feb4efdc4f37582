using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Wallets.Api.Data;
using Wallets.Api.Tests.Infrastructure;

namespace Wallets.Api.Tests.Foundation;

public sealed class SchemaTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Every_mapped_column_exists_in_the_sql_schema_and_every_set_is_queryable()
    {
        using var scope = api.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<WalletsDbContext>();
        var columns = new HashSet<string>();
        await using (var connection = new NpgsqlConnection(api.ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(
                "SELECT table_name || '.' || column_name FROM information_schema.columns WHERE table_schema = 'public'", connection);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync()) columns.Add(reader.GetString(0));
        }

        var missing = db.Model.GetEntityTypes()
            .SelectMany(t => t.GetProperties().Select(p => $"{t.GetTableName()}.{p.GetColumnName()}"))
            .Where(c => !columns.Contains(c))
            .ToList();
        Assert.Empty(missing);

        foreach (var entity in db.Model.GetEntityTypes())
        {
            var set = (IQueryable<object>)typeof(DbContext).GetMethod(nameof(DbContext.Set), Type.EmptyTypes)!
                .MakeGenericMethod(entity.ClrType).Invoke(db, null)!;
            await set.IgnoreQueryFilters().Take(1).ToListAsync();
        }
    }

    [Fact]
    public async Task Migrating_from_several_processes_at_once_is_safe_and_idempotent()
    {
        var fresh = await TestDatabase.CreateBlankAsync();
        try
        {
            var applied = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => SchemaMigrator.MigrateAsync(fresh)));
            Assert.Equal(SchemaMigrator.Scripts.Count, applied.Sum());
            Assert.Equal(0, await SchemaMigrator.MigrateAsync(fresh));
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await TestDatabase.DropAsync(fresh);
        }
    }
}
