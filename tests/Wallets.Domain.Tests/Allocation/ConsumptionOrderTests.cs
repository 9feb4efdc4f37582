using Wallets.Domain.Allocation;
using static Wallets.Domain.Tests.Allocation.Build;

namespace Wallets.Domain.Tests.Allocation;

public sealed class ConsumptionOrderTests
{
    private static Guid[] Order(params InboundGrant[] grants) =>
        ConsumptionOrder.Sort(grants).Select(g => g.Id).ToArray();

    [Fact]
    public void Lower_priority_number_is_consumed_first()
    {
        Assert.Equal([Id(2), Id(1)], Order(Grant(1, 10, priority: 50), Grant(2, 10, priority: 1)));
    }

    [Fact]
    public void Granted_credits_go_before_purchased_ones_at_equal_priority()
    {
        Assert.Equal([Id(2), Id(1)], Order(Grant(1, 10, granted: false), Grant(2, 10, granted: true, minute: 5)));
    }

    [Fact]
    public void Priority_outranks_the_granted_first_rule()
    {
        Assert.Equal([Id(1), Id(2)], Order(Grant(1, 10, priority: 1, granted: false), Grant(2, 10, priority: 2, granted: true)));
    }

    [Fact]
    public void Older_grants_go_first_at_equal_priority_and_kind()
    {
        Assert.Equal([Id(2), Id(1)], Order(Grant(1, 10, minute: 9), Grant(2, 10, minute: 3)));
    }

    [Fact]
    public void The_soonest_expiry_goes_first_at_equal_priority_before_kind_and_age()
    {
        var purchasedNewSoon = Grant(1, 10, granted: false, minute: 9, expiresAtMinute: 60);
        var grantedOldLater = Grant(2, 10, granted: true, minute: 1, expiresAtMinute: 120);

        Assert.Equal([Id(1), Id(2)], Order(grantedOldLater, purchasedNewSoon));
    }

    [Fact]
    public void Grants_that_never_expire_go_after_every_expiring_one()
    {
        Assert.Equal([Id(2), Id(1)], Order(Grant(1, 10, granted: true, minute: 0), Grant(2, 10, granted: false, minute: 5, expiresAtMinute: 999_999)));
    }

    [Fact]
    public void Priority_outranks_the_expiry()
    {
        Assert.Equal([Id(1), Id(2)], Order(Grant(1, 10, priority: 1), Grant(2, 10, priority: 2, expiresAtMinute: 1)));
    }

    [Fact]
    public void Equal_expiries_fall_back_to_granted_first_then_oldest()
    {
        Assert.Equal([Id(3), Id(2), Id(1)], Order(
            Grant(1, 10, granted: false, minute: 1, expiresAtMinute: 60),
            Grant(2, 10, granted: true, minute: 7, expiresAtMinute: 60),
            Grant(3, 10, granted: true, minute: 2, expiresAtMinute: 60)));
    }

    [Fact]
    public void Without_expiring_grants_the_order_is_priority_then_granted_first_then_oldest_then_id()
    {
        var random = new Random(2026);
        var grants = Enumerable.Range(0, 500)
            .Select(n => Grant(n, 10, priority: random.Next(1, 4), granted: random.Next(2) == 0, minute: random.Next(0, 5)))
            .ToList();

        var expected = grants.OrderBy(g => g.Priority).ThenBy(g => g.Granted ? 0 : 1).ThenBy(g => g.CreatedAt)
            .ThenBy(g => g.Id, UuidOrder.Instance).Select(g => g.Id);

        Assert.Equal(expected, ConsumptionOrder.Sort(grants).Select(g => g.Id));
    }

    [Fact]
    public void Equal_timestamps_fall_back_to_the_postgres_uuid_order()
    {
        var low = Guid.Parse("0fffffff-ffff-ffff-ffff-ffffffffffff");
        var high = Guid.Parse("10000000-0000-0000-0000-000000000000");
        var grants = new[] { Grant(1, 10) with { Id = high }, Grant(2, 10) with { Id = low } };

        Assert.Equal([low, high], ConsumptionOrder.Sort(grants).Select(g => g.Id));
    }

    [Fact]
    public void Timestamps_compare_as_instants_whatever_their_offset()
    {
        var utc = Grant(1, 10) with { CreatedAt = new DateTimeOffset(2025, 1, 1, 10, 0, 0, TimeSpan.Zero) };
        var paris = Grant(2, 10) with { CreatedAt = new DateTimeOffset(2025, 1, 1, 10, 30, 0, TimeSpan.FromHours(1)) };

        Assert.Equal([Id(2), Id(1)], Order(utc, paris));
    }

    [Fact]
    public void Uuid_order_matches_the_ordinal_order_of_lowercase_strings()
    {
        var random = new Random(4217);
        var ids = Enumerable.Range(0, 2000).Select(_ => RandomGuid(random)).ToList();

        var byUuidOrder = ids.Order(UuidOrder.Instance).ToArray();
        var byText = ids.OrderBy(id => id.ToString("D"), StringComparer.Ordinal).ToArray();

        Assert.Equal(byText, byUuidOrder);
    }

    [Fact]
    public void Null_billable_metric_sorts_before_any_id()
    {
        Assert.True(UuidOrder.Instance.Compare(null, Guid.Empty) < 0);
        Assert.Equal(0, UuidOrder.Instance.Compare((Guid?)null, null));
    }

    [Fact]
    public void Sorting_leaves_the_input_untouched()
    {
        var grants = new[] { Grant(1, 10, priority: 9), Grant(2, 10, priority: 1) };

        ConsumptionOrder.Sort(grants);

        Assert.Equal(Id(1), grants[0].Id);
    }

    private static Guid RandomGuid(Random random)
    {
        var bytes = new byte[16];
        random.NextBytes(bytes);
        // Bias some leading bytes to collide so later bytes decide the order too.
        bytes[0] = (byte)(bytes[0] % 3);
        return new Guid(bytes);
    }
}
