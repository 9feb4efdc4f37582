using Microsoft.EntityFrameworkCore;

namespace Wallets.Api.Data;

/// <summary>The billing catalog's mapping: metrics, taxes, plans, charges, their tax links and subscriptions.</summary>
public sealed partial class WalletsDbContext
{
    private void ConfigureBillingCatalog(ModelBuilder model)
    {
        model.Entity<BillableMetric>(e =>
        {
            e.ToTable("billable_metrics");
            e.Property(m => m.Filters).HasColumnType("jsonb").HasJsonConversion();
            e.HasQueryFilter(m => m.OrganizationId == OrganizationId && m.DeletedAt == null);
        });

        model.Entity<Tax>(e =>
        {
            e.ToTable("taxes");
            e.Property(t => t.Rate).HasPrecision(8, 5);
            e.HasQueryFilter(t => t.OrganizationId == OrganizationId);
        });

        model.Entity<Plan>(e =>
        {
            e.ToTable("plans");
            e.Property(p => p.TrialPeriod).HasPrecision(10, 5);
            e.HasMany(p => p.Charges).WithOne().HasForeignKey(c => c.PlanId);
            e.HasQueryFilter(p => p.OrganizationId == OrganizationId && p.DeletedAt == null);
        });

        model.Entity<Charge>(e =>
        {
            e.ToTable("charges");
            e.Property(c => c.Properties).HasColumnType("jsonb").HasJsonConversion();
            e.Property(c => c.Filters).HasColumnType("jsonb").HasJsonConversion();
            e.HasOne(c => c.BillableMetric).WithMany().HasForeignKey(c => c.BillableMetricId);
            e.HasQueryFilter(c => c.OrganizationId == OrganizationId && c.DeletedAt == null);
        });

        model.Entity<CustomerTax>(e =>
        {
            e.ToTable("customer_taxes").HasKey(t => new { t.CustomerId, t.TaxId });
            e.HasOne<Customer>().WithMany(c => c.AppliedTaxes).HasForeignKey(t => t.CustomerId);
            e.HasOne(t => t.Tax).WithMany().HasForeignKey(t => t.TaxId);
            e.Navigation(t => t.Tax).AutoInclude();
            e.HasQueryFilter(t => t.OrganizationId == OrganizationId);
        });

        model.Entity<PlanTax>(e =>
        {
            e.ToTable("plan_taxes").HasKey(t => new { t.PlanId, t.TaxId });
            e.HasOne<Plan>().WithMany(p => p.AppliedTaxes).HasForeignKey(t => t.PlanId);
            e.HasOne(t => t.Tax).WithMany().HasForeignKey(t => t.TaxId);
            e.Navigation(t => t.Tax).AutoInclude();
            e.HasQueryFilter(t => t.OrganizationId == OrganizationId);
        });

        model.Entity<ChargeTax>(e =>
        {
            e.ToTable("charge_taxes").HasKey(t => new { t.ChargeId, t.TaxId });
            e.HasOne<Charge>().WithMany(c => c.AppliedTaxes).HasForeignKey(t => t.ChargeId);
            e.HasOne(t => t.Tax).WithMany().HasForeignKey(t => t.TaxId);
            e.Navigation(t => t.Tax).AutoInclude();
            e.HasQueryFilter(t => t.OrganizationId == OrganizationId);
        });

        model.Entity<Subscription>(e =>
        {
            e.ToTable("subscriptions");
            e.HasQueryFilter(s => s.OrganizationId == OrganizationId);
        });
    }
}
