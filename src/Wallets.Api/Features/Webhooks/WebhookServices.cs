using Microsoft.EntityFrameworkCore;
using Wallets.Api.Data;
using Wallets.Api.Jobs;

namespace Wallets.Api.Features.Webhooks;

/// <summary>The webhook feature's services, and its command-line mode.</summary>
public static class WebhookServices
{
    public static void AddWebhookServices(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var settings = builder.Configuration.GetSection("Webhooks").Get<WebhookSettings>() ?? new WebhookSettings();
        // Lago's iss is its public URL (LAGO_API_URL); ours defaults to the first URL this process listens on.
        settings.Issuer ??= builder.Configuration["urls"]?.Split(';')[0] ?? "http://localhost:8080";
        // A lease shorter than an attempt would hand a delivery still in flight to another process.
        if (settings.ClaimLease <= settings.Timeout) throw new InvalidOperationException("Webhooks:ClaimLease must be longer than Webhooks:Timeout.");
        services.AddSingleton(settings);
        services.AddScoped<WebhookEndpointHandler>();
        services.AddSingleton<WebhookSigningKeys>();
        services.AddSingleton<WebhookDeliveries>();
        services.AddSingleton<WebhookDispatcher>();
        services.AddSingleton<WebhookRetentionJob>();
        // One pool of connections for every delivery; no redirects (a webhook is posted where it was registered).
        services.AddHttpClient(WebhookDispatcher.HttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(2), ConnectTimeout = settings.Timeout,
                MaxConnectionsPerServer = settings.MaxInFlightPerEndpoint,
            })
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan);

        var jobs = builder.Configuration.GetValue("Jobs:Enabled", true);
        if (settings.Enabled ?? jobs) services.AddHostedService(sp => sp.GetRequiredService<WebhookDispatcher>());
        if (jobs) services.AddHostedService(sp => sp.GetRequiredService<WebhookRetentionJob>());
    }

    /// <summary>`webhook-hmac-key &lt;organization name or id&gt;`: prints the key that signs the organization's `hmac` webhooks.</summary>
    public static async Task<int> PrintHmacKeyAsync(this WebApplication app, string? organization)
    {
        if (string.IsNullOrWhiteSpace(organization))
        {
            Console.Error.WriteLine("usage: webhook-hmac-key <organization name or id>");
            return 2;
        }
        await SchemaMigrator.MigrateAsync(app.Configuration.GetConnectionString("Wallets")!);
        using var scope = app.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<WalletsDbContext>();
        var id = Guid.TryParse(organization, out var parsed) ? parsed : (Guid?)null;
        var found = await db.Organizations.Where(o => o.Id == id || o.Name == organization).OrderBy(o => o.CreatedAt).ToListAsync();
        if (found.Count == 0)
        {
            Console.Error.WriteLine($"No organization is named or has the id {organization}.");
            return 1;
        }
        if (found.Count > 1)
        {
            Console.Error.WriteLine($"{found.Count} organizations are named {organization}; give the id of one:");
            foreach (var o in found) Console.Error.WriteLine($"  {o.Id} (created {o.CreatedAt:u})");
            return 1;
        }
        Console.WriteLine(found[0].HmacKey);
        return 0;
    }
}
