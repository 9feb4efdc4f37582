using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Wallets.Api.Http;

namespace Wallets.Api.Data;

/// <summary>The one DbContext. Every tenant-owned set is filtered by the current organization.</summary>
public sealed class WalletsDbContext(DbContextOptions<WalletsDbContext> options, Tenant tenant) : DbContext(options)
{
    // Read by the query filters below: another organization's rows are invisible, so they are 404s.
    private Guid OrganizationId => tenant.OrganizationId;

    public DbSet<Organization> Organizations => Set<Organization>();
    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();
    public DbSet<Customer> Customers => Set<Customer>();

    protected override void OnModelCreating(ModelBuilder model)
    {
        model.Entity<Organization>().ToTable("organizations");
        model.Entity<ApiKey>().ToTable("api_keys").HasOne<Organization>().WithMany().HasForeignKey(k => k.OrganizationId);

        model.Entity<Customer>(e =>
        {
            e.ToTable("customers");
            e.Property(c => c.Metadata).HasColumnType("jsonb").HasJsonConversion();
            e.HasQueryFilter(c => c.OrganizationId == OrganizationId && c.DeletedAt == null);
        });

        // Columns are snake_case, as the SQL schema files write them.
        foreach (var property in model.Model.GetEntityTypes().SelectMany(t => t.GetProperties()))
            property.SetColumnName(JsonNamingPolicy.SnakeCaseLower.ConvertName(property.Name));
    }
}

internal static class JsonColumn
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    /// <summary>Stores a value as jsonb through System.Text.Json, compared by its JSON text.</summary>
    public static PropertyBuilder<T> HasJsonConversion<T>(this PropertyBuilder<T> property) where T : class
    {
        property.HasConversion(
            v => JsonSerializer.Serialize(v, Options),
            v => JsonSerializer.Deserialize<T>(v, Options)!,
            new ValueComparer<T>(
                (a, b) => JsonSerializer.Serialize(a, Options) == JsonSerializer.Serialize(b, Options),
                v => JsonSerializer.Serialize(v, Options).GetHashCode(),
                v => JsonSerializer.Deserialize<T>(JsonSerializer.Serialize(v, Options), Options)!));
        return property;
    }
}
