using Wallets.Domain.Allocation;
using static Wallets.Domain.Tests.Allocation.Build;

namespace Wallets.Domain.Tests.Allocation;

public sealed class GrantExpiryTests
{
    private static readonly DateTimeOffset Minute10 = T0.AddMinutes(10);

    [Fact]
    public void A_grant_is_expired_from_its_expiration_instant_on_and_never_without_one()
    {
        Assert.False(GrantExpiry.IsExpired(Grant(1, 10, expiresAtMinute: 10), Minute10.AddTicks(-1)));
        Assert.True(GrantExpiry.IsExpired(Grant(1, 10, expiresAtMinute: 10), Minute10));
        Assert.False(GrantExpiry.IsExpired(Grant(1, 10), DateTimeOffset.MaxValue));
    }

    [Fact]
    public void A_debit_just_before_the_expiry_uses_the_expiring_grant_first()
    {
        var grants = new[] { Grant(1, 100), Grant(2, 30, expiresAtMinute: 10) };

        var rows = GrantConsumption.Consume(grants, 50, Minute10.AddTicks(-1)).Value;

        Assert.Equal([new Consumption(Id(2), 30), new Consumption(Id(1), 20)], rows);
    }

    [Fact]
    public void A_debit_at_or_after_the_expiry_is_never_funded_by_the_expired_grant()
    {
        var grants = new[] { Grant(1, 100), Grant(2, 30, expiresAtMinute: 10) };

        Assert.Equal([new Consumption(Id(1), 50)], GrantConsumption.Consume(grants, 50, Minute10).Value);
        Assert.Equal(AllocationErrors.ExceedsAvailableAmount, GrantConsumption.Consume(grants, 101, Minute10).Error);
        Assert.Equal(AllocationErrors.NoRemainingAmount, GrantConsumption.ConsumeFrom(grants[1], 5, Minute10).Error);
        Assert.True(GrantConsumption.ConsumeFrom(grants[1], 5, Minute10.AddTicks(-1)).IsSuccess);
    }

    [Fact]
    public void Without_an_instant_the_engine_ignores_expiries_as_before()
    {
        var grants = new[] { Grant(1, 100), Grant(2, 30, expiresAtMinute: 10) };

        Assert.Equal(130, GrantConsumption.Consume(grants, 130).Value.Sum(r => r.Cents));
    }

    [Fact]
    public void Due_voids_all_each_expired_grant_holds_by_instant_then_in_consumption_order()
    {
        var grants = new[]
        {
            Grant(1, 10, expiresAtMinute: 9, granted: false),
            Grant(2, 20, expiresAtMinute: 5),
            Grant(3, 30, expiresAtMinute: 9, granted: true),
            Grant(4, 0, expiresAtMinute: 1),
            Grant(5, 40, expiresAtMinute: 11),
            Grant(6, 50),
        };

        var due = GrantExpiry.Due(grants, Minute10);

        Assert.Equal(
            [new ExpiryVoid(Id(2), T0.AddMinutes(5), 20), new ExpiryVoid(Id(3), T0.AddMinutes(9), 30), new ExpiryVoid(Id(1), T0.AddMinutes(9), 10)],
            due);
    }
}
