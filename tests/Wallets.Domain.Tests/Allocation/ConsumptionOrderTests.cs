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
