using Wallets.Api;
using Wallets.Api.Dashboard;
using Wallets.Api.Features.AddOns;
using Wallets.Api.Features.Alerts;
using Wallets.Api.Features.BillableMetrics;
using Wallets.Api.Features.Customers;
using Wallets.Api.Features.Events;
using Wallets.Api.Features.Health;
using Wallets.Api.Features.Holds;
using Wallets.Api.Features.Invoices;
using Wallets.Api.Features.WalletTransactions;
using Wallets.Api.Features.Wallets;
using Wallets.Api.Features.Plans;
using Wallets.Api.Features.Subscriptions;
using Wallets.Api.Features.Taxes;
using Wallets.Api.Features.Usage;
using Wallets.Api.Features.Webhooks;
using Wallets.Api.Http;
using Wallets.Api.Telemetry;

// A container's health probe: checks the running server and exits, without building this one.
if (args is ["healthcheck", ..]) return await HealthCheckCommand.RunAsync(args);

var builder = WebApplication.CreateBuilder(args);
builder.AddWalletsServices();
var app = builder.Build();

// Command-line modes: `migrate`, `organizations …`, `api-keys …`, `create-organization [name]`, `webhook-hmac-key <organization>`;
// otherwise serve.
if (await app.RunCommandAsync(args) is { } exitCode) return exitCode;
await app.PrepareDatabaseAsync();

app.UseMiddleware<RequestLogging>();
app.UseLagoErrors();
app.UseBodyLimits();
app.UseSwagger();
app.UseSwaggerUI(ui => ui.DocumentTitle = "Wallets API");

// The dashboard's cookie is read only by its own pages (their authorization policy names its scheme).
app.UseAuthentication();
app.UseAuthorization();

app.MapHealthEndpoints();
app.MapMetrics();
app.MapDashboard();
var api = app.MapGroup("/api/v1")
    .AddEndpointFilter(app.Services.GetRequiredService<ApiKeyAuth>())
    .AddEndpointFilter<PageQueryFilter>()
    .AddEndpointFilter(app.Services.GetRequiredService<IdempotencyFilter>());
api.MapCustomerEndpoints();
api.MapWalletEndpoints();
api.MapWalletMetadataEndpoints();
api.MapAlertEndpoints();
api.MapWalletTransactionEndpoints();
api.MapHoldEndpoints();
api.MapInvoiceEndpoints();
api.MapBillableMetricEndpoints();
api.MapTaxEndpoints();
api.MapPlanEndpoints();
api.MapSubscriptionEndpoints();
api.MapEventEndpoints();
api.MapUsageEndpoints();
api.MapAddOnEndpoints();
api.MapWebhookEndpointEndpoints();
api.MapWebhookDeliveryEndpoints();

await app.RunAsync();
return 0;

public partial class Program;
