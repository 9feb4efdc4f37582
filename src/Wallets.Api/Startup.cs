using Microsoft.EntityFrameworkCore;
using Npgsql;
using Wallets.Api.Dashboard;
using Wallets.Api.Data;
using Wallets.Api.Features.AddOns;
using Wallets.Api.Features.BillableMetrics;
using Wallets.Api.Features.Customers;
using Wallets.Api.Features.Events;
using Wallets.Api.Features.Invoices;
using Wallets.Api.Features.WalletTransactions;
using Wallets.Api.Features.Wallets;
using Wallets.Api.Jobs;
using Wallets.Api.Features.Organizations;
using Wallets.Api.Features.Plans;
using Wallets.Api.Features.Subscriptions;
using Wallets.Api.Features.Taxes;
using Wallets.Api.Features.Usage;
using Wallets.Api.Features.Webhooks;
using Wallets.Api.Http;
using Wallets.Api.Http.OpenApi;
using Wallets.Api.Ledger;
using Wallets.Api.Telemetry;

namespace Wallets.Api;

/// <summary>Service registration and the start-up steps that Program.cs calls, kept out of it so it reads in one screen.</summary>
public static class Startup
{
    public static void AddWalletsServices(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var connectionString = builder.Configuration.GetConnectionString("Wallets")
            ?? throw new InvalidOperationException("ConnectionStrings:Wallets is not configured.");

        services.AddSingleton(TimeProvider.System);
        // Built by a factory so the container disposes it (and closes its pooled connections) on shutdown.
        Validation.UseJsonFieldNames();
        services.AddSingleton(_ => CreateDataSource(connectionString));
        // Options built once (from singletons), not per request: building them costs more than a balance read's query.
        services.AddDbContext<WalletsDbContext>((sp, options) => options.UseNpgsql(sp.GetRequiredService<NpgsqlDataSource>(),
                // A plan's charges and taxes are a few rows each: one query with all of them beats a round trip per collection.
                npgsql => npgsql.UseQuerySplittingBehavior(QuerySplittingBehavior.SingleQuery))
            .AddInterceptors(sp.GetRequiredService<UsageCacheInvalidation>(), sp.GetRequiredService<OngoingBalanceChanges>()), optionsLifetime: ServiceLifetime.Singleton);
        services.AddScoped<Tenant>();
        services.AddSingleton<ApiKeyAuth>();
        services.AddSingleton<ApiKeyUsage>();
        services.AddHostedService(sp => sp.GetRequiredService<ApiKeyUsage>());
        services.AddHostedService<ApiKeyListener>();
        services.AddScoped<CustomerHandler>();
        services.AddScoped<CustomerReads>();
        services.AddScoped<WalletHandler>();
        services.AddScoped<WalletWebhooks>();
        services.AddScoped<InvoiceWebhooks>();
        services.AddScoped<SubscriptionWebhooks>();
        services.AddScoped<Features.Alerts.AlertHandler>();
        services.AddScoped<RecurringRules>();
        services.AddScoped<RecurringTopUps>();
        services.AddScoped<WalletLedger>();
        services.AddScoped<RequestTransaction>();
        services.AddScoped<TopUpHandler>();
        services.AddScoped<WalletTransactionReads>();
        services.AddSingleton<LedgerWriter>();
        services.AddScoped<CreditInvoices>();
        services.AddScoped<InvoicePaymentHandler>();
        services.AddSingleton<IdempotencyFilter>();
        services.AddScoped<BillableMetricHandler>();
        services.AddScoped<TaxHandler>();
        services.AddScoped<ChargeWriter>();
        services.AddScoped<PlanHandler>();
        services.AddScoped<ChargeHandler>();
        services.AddScoped<SubscriptionLifecycle>();
        services.AddScoped<SubscriptionHandler>();
        services.AddScoped<SubscriptionViews>();
        services.AddScoped<UsageCalculator>();
        services.AddSingleton<SubscriptionRoutes>();
        services.AddSingleton<PricingCatalog>();
        services.AddSingleton<UsageCacheInvalidation>();
        services.AddSingleton<OngoingBalanceChanges>();
        services.AddSingleton<EventWriter>();
        services.AddScoped<EventIngestion>();
        services.AddScoped<OngoingBalances>();
        services.AddScoped<WalletReads>();
        services.AddScoped<WalletBalances>();
        services.AddScoped<ApplyPrepaidCredits>();
        services.AddScoped<SubscriptionInvoicing>();
        services.AddScoped<InvoiceViews>();
        services.AddScoped<InvoiceVoidHandler>();
        services.AddScoped<OneOffInvoiceHandler>();
        services.AddScoped<AddOnHandler>();
        builder.AddWebhookServices();

        services.AddSingleton<WalletExpiryJob>();
        services.AddSingleton<GrantExpiryJob>();
        services.AddSingleton<HoldExpiryJob>();
        services.AddSingleton<RecurringTopUpJob>();
        services.AddSingleton<IdempotencyKeyCleanupJob>();
        services.AddSingleton<JobMetrics>();
        services.AddSingleton<BillingJob>();
        services.AddSingleton<UsageShardFoldJob>();
        services.AddSingleton<OngoingBalanceJob>();
        services.AddSingleton<JobHealth>();
        if (builder.Configuration.GetValue("Jobs:Enabled", true))
        {
            services.AddClockJob<BillingJob>();
            services.AddClockJob<WalletExpiryJob>();
            services.AddClockJob<GrantExpiryJob>();
            services.AddClockJob<HoldExpiryJob>();
            services.AddClockJob<RecurringTopUpJob>();
            services.AddClockJob<IdempotencyKeyCleanupJob>();
            services.AddClockJob<UsageShardFoldJob>();
        }
        // It follows this process's own events and balance changes, so it runs in every process that makes them.
        if (builder.Configuration.GetValue("Jobs:OngoingBalance", true)) services.AddClockJob<OngoingBalanceJob>();
        builder.AddWalletsTelemetry();

        services.AddDashboard();
        services.ConfigureHttpJsonOptions(o => LagoJson.Configure(o.SerializerOptions));
        // Swashbuckle describes JSON with MVC's options once MVC is registered (the dashboard's Razor Pages): the same settings.
        services.Configure<Microsoft.AspNetCore.Mvc.JsonOptions>(o => LagoJson.Configure(o.JsonSerializerOptions));
        services.AddWalletsOpenApi();
    }

    /// <summary>Runs a job (registered as a singleton, so tests can call it) in the background, watched by <see cref="JobHealth"/>.</summary>
    private static void AddClockJob<TJob>(this IServiceCollection services) where TJob : ClockJob =>
        services.AddHostedService(sp =>
        {
            var job = sp.GetRequiredService<TJob>();
            job.Health = sp.GetRequiredService<JobHealth>();
            return job;
        });

    /// <summary>
    /// Defaults that suit this service unless the connection string says otherwise. Frequent statements are prepared
    /// (Npgsql auto-prepares what runs twice; the event ingestion statement is prepared explicitly) and run their cached
    /// generic plan: PostgreSQL would otherwise plan them on every execution, which under load costs more than running
    /// these keyed lookups. Pooled connections are not reset (the app sets no session state), TLS is off on loopback,
    /// and the pool stays below PostgreSQL's default 100 connections.
    /// </summary>
    private static NpgsqlDataSource CreateDataSource(string connectionString)
    {
        // Named, so metrics label the pool "wallets" rather than with its connection string.
        var builder = new NpgsqlDataSourceBuilder(connectionString) { Name = "wallets" };
        var settings = builder.ConnectionStringBuilder;
        var given = connectionString.ToLowerInvariant();
        settings.Options = $"{settings.Options} -c plan_cache_mode=force_generic_plan".Trim();
        if (settings.MaxAutoPrepare == 0)
        {
            settings.MaxAutoPrepare = 100;
            settings.AutoPrepareMinUsages = 2;
        }
        if (!given.Contains("no reset on close")) settings.NoResetOnClose = true;
        // TLS on loopback buys nothing and costs both sides CPU on every round trip.
        if (!given.Contains("ssl mode") && settings.Host is "127.0.0.1" or "localhost" or "::1") settings.SslMode = SslMode.Disable;
        if (!given.Contains("maximum pool size") && !given.Contains("max pool size")) settings.MaxPoolSize = 40;
        return builder.Build();
    }

    /// <summary>Runs a command-line mode and returns its exit code, or null to go on serving.</summary>
    public static async Task<int?> RunCommandAsync(this WebApplication app, string[] args)
    {
        switch (args.FirstOrDefault())
        {
            case "migrate":
                var applied = await SchemaMigrator.MigrateAsync(app.Configuration.GetConnectionString("Wallets")!);
                Console.WriteLine($"Schema is current ({SchemaMigrator.LatestVersion}); {applied} file(s) applied.");
                return 0;
            case "webhook-hmac-key":
                return await app.PrintHmacKeyAsync(args.ElementAtOrDefault(1));
            case var command when AdminCommands.Handles(command):
                await SchemaMigrator.MigrateAsync(app.Configuration.GetConnectionString("Wallets")!);
                using (var scope = app.Services.CreateScope())
                {
                    var db = scope.ServiceProvider.GetRequiredService<WalletsDbContext>();
                    return await new AdminCommands(db, TimeProvider.System, Console.Out).RunAsync(args);
                }
            default:
                return null;
        }
    }

    /// <summary>Applies the schema (unless disabled) and makes sure the bootstrap API key, if configured, works.</summary>
    public static async Task PrepareDatabaseAsync(this WebApplication app)
    {
        if (app.Configuration.GetValue("Database:MigrateOnStartup", true))
            await SchemaMigrator.MigrateAsync(app.Configuration.GetConnectionString("Wallets")!);

        if (app.Configuration["Wallets:BootstrapApiKey"] is { Length: > 0 } key)
        {
            using var scope = app.Services.CreateScope();
            await OrganizationSetup.EnsureBootstrapKeyAsync(
                scope.ServiceProvider.GetRequiredService<WalletsDbContext>(), key, app.Services.GetRequiredService<TimeProvider>());
        }
    }
}
