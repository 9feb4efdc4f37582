using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Wallets.Api.Tests.Infrastructure;

namespace Wallets.Api.Tests.Webhooks;

/// <summary>
/// The API with its webhook dispatcher running on the real clock, with short timings: a 1 s timeout, retries after
/// 0.1–0.3 s, a 50 ms poll and a 3 s claim lease.
/// </summary>
public sealed class WebhookApiFactory : ApiFactory
{
    public const string Issuer = "https://wallets.test";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Webhooks:Enabled", "true");
        builder.UseSetting("Webhooks:Issuer", Issuer);
        builder.UseSetting("Webhooks:Timeout", "00:00:01");
        builder.UseSetting("Webhooks:FirstRetryDelay", "00:00:00.1");
        builder.UseSetting("Webhooks:MaxRetryDelay", "00:00:00.3");
        builder.UseSetting("Webhooks:PollInterval", "00:00:00.05");
        builder.UseSetting("Webhooks:ClaimLease", "00:00:03");
        builder.UseSetting("Webhooks:MaxInFlightPerEndpoint", "4");
        builder.ConfigureTestServices(services => services.AddSingleton(TimeProvider.System));
    }
}
