using CsCheck;
using Wallets.Domain.Allocation;
using static Wallets.Domain.Tests.Allocation.Build;

namespace Wallets.Domain.Tests.Allocation;

/// <summary>Which grants a hold reserves, and how a capture splits them into taken and given back.</summary>
public sealed class HoldPlanTests
{
    [Fact]
    public void A_hold_reserves_in_consumption_order_from_grants_that_outlive_it()
    {
        var holdEnds = T0.AddHours(2);
        var grants = new[]
        {
            Grant(1, 500, priority: 1) with { ExpirationAt = T0.AddHours(1) },
            Grant(2, 300, priority: 2) with { ExpirationAt = holdEnds },
            Grant(3, 400, priority: 3),
        };
        var plan = HoldPlan.Reserve(grants, 600, holdEnds);
        Assert.Equal([new Consumption(Id(2), 300), new Consumption(Id(3), 300)], plan.Value);
        Assert.Equal(AllocationErrors.ExceedsAvailableAmount, HoldPlan.Reserve(grants, 701, holdEnds).Error);
        // A hold that never expires uses only grants that never expire.
        Assert.Equal([new Consumption(Id(3), 400)], HoldPlan.Reserve(grants, 400, null).Value);
        Assert.Equal(AllocationErrors.ExceedsAvailableAmount, HoldPlan.Reserve(grants, 401, null).Error);
    }

    [Fact]
    public void A_capture_takes_from_the_reservations_in_order_and_gives_back_the_rest()
    {
        var reservations = new[] { new Consumption(Id(1), 300), new Consumption(Id(2), 500) };
        var split = HoldPlan.Capture(reservations, 450).Value;
        Assert.Equal([new Consumption(Id(1), 300), new Consumption(Id(2), 150)], split.Taken);
        Assert.Equal([new Consumption(Id(2), 350)], split.Released);
        Assert.Equal((0, 2), (HoldPlan.Capture(reservations, 0).Value.Taken.Count, HoldPlan.Capture(reservations, 0).Value.Released.Count));
        Assert.Equal(HoldErrors.ExceedsHeldCredits, HoldPlan.Capture(reservations, 801).Error);
    }

    [Fact]
    public void Any_capture_within_the_hold_takes_exactly_its_amount_and_gives_back_exactly_the_rest_per_grant() =>
        Gen.Select(Gen.Long[1, 10_000].Array[1, 8], Gen.Long[0, 100_000])
            .Sample((cents, pick) =>
            {
                var reservations = cents.Select((c, i) => new Consumption(Id(i + 1), c)).ToList();
                var held = cents.Sum();
                var capture = pick % (held + 1);
                var split = HoldPlan.Capture(reservations, capture).Value;
                Assert.Equal(capture, split.Taken.Sum(t => t.Cents));
                Assert.All(reservations, r => Assert.Equal(r.Cents,
                    split.Taken.Where(t => t.InboundId == r.InboundId).Sum(t => t.Cents) + split.Released.Where(t => t.InboundId == r.InboundId).Sum(t => t.Cents)));
                Assert.All(split.Taken.Concat(split.Released), c => Assert.True(c.Cents > 0));
                // Taken in order: only the last grant taken from may give anything back before the untouched ones.
                Assert.True(split.Taken.Select(t => t.InboundId).SequenceEqual(reservations.Take(split.Taken.Count).Select(r => r.InboundId)));
            }, iter: 2_000);
}
