using Microsoft.EntityFrameworkCore;

namespace Wallets.Api.Data;

/// <summary>Invoicing's mapping: add-ons and their taxes, and which subscription periods an invoice bills.</summary>
public sealed partial class WalletsDbContext
{
    public DbSet<AddOn> AddOns => Set<AddOn>();
    public DbSet<InvoiceSubscription> InvoiceSubscriptions => Set<InvoiceSubscription>();

    private void ConfigureInvoicing(ModelBuilder model)
    {
        model.Entity<AddOn>(e =>
        {
            e.ToTable("add_ons");
            e.HasQueryFilter(a => a.OrganizationId == OrganizationId && a.DeletedAt == null);
        });

        model.Entity<AddOnTax>(e =>
        {
            e.ToTable("add_on_taxes").HasKey(t => new { t.AddOnId, t.TaxId });
            e.HasOne<AddOn>().WithMany(a => a.AppliedTaxes).HasForeignKey(t => t.AddOnId);
            e.HasOne(t => t.Tax).WithMany().HasForeignKey(t => t.TaxId);
            e.Navigation(t => t.Tax).AutoInclude();
            e.HasQueryFilter(t => t.OrganizationId == OrganizationId);
        });

        model.Entity<InvoiceSubscription>(e =>
        {
            e.ToTable("invoice_subscriptions");
            e.HasOne<Invoice>().WithMany(i => i.InvoiceSubscriptions).HasForeignKey(s => s.InvoiceId);
            e.HasOne<Subscription>().WithMany().HasForeignKey(s => s.SubscriptionId);
            e.HasQueryFilter(s => s.OrganizationId == OrganizationId);
        });

        model.Entity<Invoice>().Property(i => i.AppliedTaxes).HasColumnType("jsonb").HasJsonConversion();

        model.Entity<Fee>(e =>
        {
            e.Property(f => f.PreciseAmountCents).HasPrecision(40, 15);
            e.Property(f => f.TaxesPreciseAmountCents).HasPrecision(40, 15);
            e.Property(f => f.AppliedTaxes).HasColumnType("jsonb").HasJsonConversion();
            e.HasOne<AddOn>().WithMany().HasForeignKey(f => f.AddOnId);
        });
    }
}
