using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Wallets.Api.Http;

namespace Wallets.Api.Data;

/// <summary>The one DbContext. Every tenant-owned set is filtered by the current organization.</summary>
public sealed partial class WalletsDbContext(DbContextOptions<WalletsDbContext> options, Tenant tenant) : DbContext(options)
{
    // Read by the query filters below: another organization's rows are invisible, so they are 404s.
    private Guid OrganizationId => tenant.OrganizationId;

    private const string TenantFilter = "tenant";

    /// <summary>
    /// Hides deleted customers. Records that outlive their customer (invoices, as in Lago) ignore it when they load
    /// their customer: a required navigation under this filter is an inner join that hides the record itself.
    /// </summary>
    public const string LiveCustomersFilter = "live_customers";

    public DbSet<Organization> Organizations => Set<Organization>();
    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();
    public DbSet<Customer> Customers => Set<Customer>();
    public DbSet<Wallet> Wallets => Set<Wallet>();
    public DbSet<WalletTransaction> WalletTransactions => Set<WalletTransaction>();
    public DbSet<RecurringTransactionRule> RecurringTransactionRules => Set<RecurringTransactionRule>();
    public DbSet<WalletAlert> WalletAlerts => Set<WalletAlert>();
    public DbSet<WalletTransactionConsumption> Consumptions => Set<WalletTransactionConsumption>();
    public DbSet<Hold> Holds => Set<Hold>();
    public DbSet<Invoice> Invoices => Set<Invoice>();
    public DbSet<Fee> Fees => Set<Fee>();
    public DbSet<IdempotencyKey> IdempotencyKeys => Set<IdempotencyKey>();
    public DbSet<BillableMetric> BillableMetrics => Set<BillableMetric>();
    public DbSet<Tax> Taxes => Set<Tax>();
    public DbSet<Plan> Plans => Set<Plan>();
    public DbSet<Charge> Charges => Set<Charge>();
    public DbSet<Subscription> Subscriptions => Set<Subscription>();

    protected override void OnModelCreating(ModelBuilder model)
    {
        model.Entity<Organization>().ToTable("organizations");
        model.Entity<ApiKey>().ToTable("api_keys").HasOne<Organization>().WithMany().HasForeignKey(k => k.OrganizationId);

        model.Entity<Customer>(e =>
        {
            e.ToTable("customers");
            e.Property(c => c.Metadata).HasColumnType("jsonb").HasJsonConversion();
            e.HasQueryFilter(TenantFilter, c => c.OrganizationId == OrganizationId);
            e.HasQueryFilter(LiveCustomersFilter, c => c.DeletedAt == null);
            // Every customer answer shows its taxes, so they always come along.
            e.Navigation(c => c.AppliedTaxes).AutoInclude();
        });

        model.Entity<Wallet>(e =>
        {
            e.ToTable("wallets");
            e.Property(w => w.RateAmount).HasPrecision(30, 5);
            e.Property(w => w.Metadata).HasColumnType("jsonb").HasJsonConversion();
            e.HasOne(w => w.Customer).WithMany().HasForeignKey(w => w.CustomerId);
            e.Ignore(w => w.ActiveRule);
            // Kept by the database (triggers on wallet_alerts and their thresholds): read, never written.
            e.Property(w => w.AlertFloorCents).ValueGeneratedOnAddOrUpdate();
            e.Property(w => w.AlertCeilingCents).ValueGeneratedOnAddOrUpdate();
            // Kept by the ledger's one writer (LedgerChanges): read, never written by EF.
            e.Property(w => w.NextExpirationAt).ValueGeneratedOnAddOrUpdate();
            e.HasQueryFilter(w => w.OrganizationId == OrganizationId);
        });

        model.Entity<RecurringTransactionRule>(e =>
        {
            e.ToTable("recurring_transaction_rules");
            e.Property(r => r.PaidCredits).HasPrecision(30, 5);
            e.Property(r => r.GrantedCredits).HasPrecision(30, 5);
            e.Property(r => r.ThresholdCredits).HasPrecision(30, 5);
            e.Property(r => r.TargetOngoingBalance).HasPrecision(30, 5);
            e.Property(r => r.TransactionMetadata).HasColumnType("jsonb").HasJsonConversion();
            e.HasOne<Wallet>().WithMany().HasForeignKey(r => r.WalletId);
            e.HasQueryFilter(r => r.OrganizationId == OrganizationId);
        });

        model.Entity<WalletAlert>(e =>
        {
            e.ToTable("wallet_alerts");
            e.Property(a => a.PreviousValue).HasPrecision(30, 5);
            e.HasOne(a => a.Wallet).WithMany().HasForeignKey(a => a.WalletId);
            e.HasMany(a => a.Thresholds).WithOne().HasForeignKey(t => t.AlertId).OnDelete(DeleteBehavior.Cascade);
            e.HasQueryFilter(a => a.OrganizationId == OrganizationId);
        });
        model.Entity<WalletAlertThreshold>(e =>
        {
            e.ToTable("wallet_alert_thresholds");
            e.Property(t => t.Value).HasPrecision(30, 5);
        });

        model.Entity<WalletTransaction>(e =>
        {
            e.ToTable("wallet_transactions");
            e.Property(t => t.CreditAmount).HasPrecision(30, 5);
            e.Property(t => t.Metadata).HasColumnType("jsonb").HasJsonConversion();
            e.HasOne(t => t.Wallet).WithMany().HasForeignKey(t => t.WalletId);
            e.HasOne<Invoice>().WithMany().HasForeignKey(t => t.InvoiceId);
            e.HasOne<Invoice>().WithMany().HasForeignKey(t => t.VoidedInvoiceId);
            e.HasQueryFilter(t => t.OrganizationId == OrganizationId);
        });

        model.Entity<WalletTransactionConsumption>(e =>
        {
            e.ToTable("wallet_transaction_consumptions");
            e.HasOne(c => c.Inbound).WithMany().HasForeignKey(c => c.InboundWalletTransactionId);
            e.HasOne(c => c.Outbound).WithMany().HasForeignKey(c => c.OutboundWalletTransactionId);
            e.HasQueryFilter(c => c.OrganizationId == OrganizationId);
        });

        model.Entity<Hold>(e =>
        {
            e.ToTable("holds");
            e.Property(h => h.Credits).HasPrecision(30, 5);
            e.Property(h => h.CapturedCredits).HasPrecision(30, 5);
            e.Property(h => h.Metadata).HasColumnType("jsonb").HasJsonConversion();
            e.HasQueryFilter(h => h.OrganizationId == OrganizationId);
        });

        model.Entity<Invoice>(e =>
        {
            e.ToTable("invoices");
            e.Property(i => i.Metadata).HasColumnType("jsonb").HasJsonConversion();
            e.HasOne(i => i.Customer).WithMany().HasForeignKey(i => i.CustomerId);
            e.HasMany(i => i.Fees).WithOne().HasForeignKey(f => f.InvoiceId);
            e.HasQueryFilter(i => i.OrganizationId == OrganizationId);
        });

        model.Entity<Fee>(e =>
        {
            e.ToTable("fees");
            e.Property(f => f.Units).HasPrecision(30, 10);
            e.Property(f => f.TaxesRate).HasPrecision(10, 5);
            e.HasOne<WalletTransaction>().WithMany().HasForeignKey(f => f.WalletTransactionId);
            e.HasQueryFilter(f => f.OrganizationId == OrganizationId);
        });

        model.Entity<IdempotencyKey>(e =>
        {
            e.ToTable("idempotency_keys").HasKey(k => new { k.OrganizationId, k.Key });
            e.HasQueryFilter(k => k.OrganizationId == OrganizationId);
        });

        ConfigureBillingCatalog(model);
        ConfigureUsage(model);
        ConfigureInvoicing(model);
        ConfigureWebhooks(model);

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

    /// <summary>A row read as JSON by SQL written by hand (`to_jsonb(row)`), its columns snake_case.</summary>
    public static T Deserialize<T>(string json) => JsonSerializer.Deserialize<T>(json, Options)!;

    /// <summary>The JSON text stored for a value (for SQL written by hand).</summary>
    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);

    /// <summary>Stores a value as jsonb through System.Text.Json, compared by its JSON text.</summary>
    public static PropertyBuilder<T> HasJsonConversion<T>(this PropertyBuilder<T> property) where T : class?
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
