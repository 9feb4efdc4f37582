using Microsoft.EntityFrameworkCore;

namespace Wallets.Api.Data;

/// <summary>Events and the usage aggregated from them.</summary>
public sealed partial class WalletsDbContext
{
    public DbSet<Event> Events => Set<Event>();
    public DbSet<ChargeUsage> ChargeUsage => Set<ChargeUsage>();

    private void ConfigureUsage(ModelBuilder model)
    {
        model.Entity<Event>(e =>
        {
            // Lago's idempotency key (0010_events_keyed_by_transaction.sql); the id is made by the API and never looked up.
            e.ToTable("events").HasKey(v => new { v.OrganizationId, v.TransactionId, v.ExternalSubscriptionId });
            e.Property(v => v.Properties).HasColumnType("jsonb").HasJsonConversion();
            e.Property(v => v.PreciseTotalAmountCents).HasPrecision(40, 15);
            e.HasQueryFilter(v => v.OrganizationId == OrganizationId);
        });

        model.Entity<ChargeUsage>(e =>
        {
            e.ToTable("charge_usage").HasKey(u => new { u.SubscriptionId, u.ChargeId, u.PeriodFrom, u.TargetWalletCode, u.Shard });
            e.Property(u => u.Units).HasPrecision(40, 10);
            e.HasQueryFilter(u => u.OrganizationId == OrganizationId);
        });
    }
}
