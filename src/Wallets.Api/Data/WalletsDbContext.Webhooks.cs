using Microsoft.EntityFrameworkCore;

namespace Wallets.Api.Data;

public sealed partial class WalletsDbContext
{
    public DbSet<WebhookEndpoint> WebhookEndpoints => Set<WebhookEndpoint>();
    public DbSet<Webhook> Webhooks => Set<Webhook>();

    private void ConfigureWebhooks(ModelBuilder model)
    {
        model.Entity<WebhookEndpoint>(e =>
        {
            e.ToTable("webhook_endpoints");
            e.HasQueryFilter(w => w.OrganizationId == OrganizationId);
        });
        model.Entity<Webhook>(e =>
        {
            e.ToTable("webhooks");
            e.Property(w => w.Payload).HasColumnType("json");
            e.HasOne<WebhookEndpoint>().WithMany().HasForeignKey(w => w.WebhookEndpointId);
            e.HasQueryFilter(w => w.OrganizationId == OrganizationId);
        });
    }
}
