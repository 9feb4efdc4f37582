using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Wallets.Api.Data;
using Wallets.Api.Features.Usage;
using Wallets.Api.Tests.Infrastructure;

namespace Wallets.Api.Tests.Usage;

/// <summary>The cache of plans and taxes that prices the real-time balance.</summary>
public sealed class PricingCatalogTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    /// <summary>A monotonic clock moved by hand (the catalog times its entries with timestamps, not dates).</summary>
    private sealed class HandClock : TimeProvider
    {
        private long _ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => Interlocked.Read(ref _ticks);

        public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
    }

    [Fact]
    public async Task An_entry_in_use_is_read_again_in_its_last_seconds_and_never_expires_under_a_read()
    {
        var client = await api.NewOrganizationClientAsync();
        var planId = Guid.Parse((string)(await client.PlanAsync("cached", "EUR"))["lago_id"]!);
        var organizationId = await api.ScalarAsync<Guid>($"SELECT organization_id FROM plans WHERE id = '{planId}'");
        var clock = new HandClock();
        var catalog = new PricingCatalog(api.Services.GetRequiredService<IServiceScopeFactory>(), clock, NullLogger<PricingCatalog>.Instance);
        async Task<long> FeeAsync() =>
            (await catalog.GetAsync(organizationId, [planId], new Dictionary<Guid, Customer>(), null, CancellationToken.None)).Plans[planId].AmountCents;

        Assert.Equal(1000, await FeeAsync());
        // Changed behind the cache's back, as another process would: the cached plan is still served.
        await api.ScalarAsync<int>($"WITH u AS (UPDATE plans SET amount_cents = 2000 WHERE id = '{planId}' RETURNING 1) SELECT count(*)::int FROM u");
        clock.Advance(TimeSpan.FromSeconds(7));
        Assert.Equal(1000, await FeeAsync());

        // In its last two seconds, a read is answered from the cache and has the entry read again behind it.
        clock.Advance(TimeSpan.FromSeconds(1.5));
        Assert.Equal(1000, await FeeAsync());
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (await FeeAsync() != 2000)
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(10), "the entry was not read again before it expired");
            await Task.Delay(20);
        }
        // The new entry lives on past the old one's end.
        clock.Advance(TimeSpan.FromSeconds(5));
        await api.ScalarAsync<int>($"WITH u AS (UPDATE plans SET amount_cents = 3000 WHERE id = '{planId}' RETURNING 1) SELECT count(*)::int FROM u");
        Assert.Equal(2000, await FeeAsync());
    }
}
