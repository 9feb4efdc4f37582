using Wallets.Domain.Allocation;
using static Wallets.Domain.Tests.Allocation.Build;

namespace Wallets.Domain.Tests.Allocation;

public sealed class GrantConsumptionTests
{
    [Fact]
    public void A_debit_is_split_greedily_in_consumption_order()
    {
        var grants = new[]
        {
            Grant(1, 500, priority: 50, granted: false, minute: 0),
            Grant(2, 300, priority: 50, granted: true, minute: 5),
            Grant(3, 200, priority: 10, granted: false, minute: 9),
        };

        var result = GrantConsumption.Consume(grants, 600);

        Assert.True(result.IsSuccess);
        Assert.Equal([new Consumption(Id(3), 200), new Consumption(Id(2), 300), new Consumption(Id(1), 100)], result.Value);
    }

    [Fact]
    public void Void_larger_than_available_is_rejected_before_anything_is_written()
    {
        var grants = new[] { Grant(1, 500), Grant(2, 300) };

        var result = GrantConsumption.Consume(grants, 801);

        Assert.False(result.IsSuccess);
        Assert.Equal(AllocationErrors.ExceedsAvailableAmount, result.Error);
        Assert.Throws<InvalidOperationException>(() => result.Value);
    }

    [Fact]
    public void The_exact_available_amount_drains_every_grant()
    {
        var result = GrantConsumption.Consume([Grant(1, 500), Grant(2, 300)], 800);

        Assert.Equal(800, result.Value.Sum(c => c.Cents));
        Assert.Equal(2, result.Value.Count);
    }

    [Fact]
    public void A_zero_debit_succeeds_with_no_rows()
    {
        var result = GrantConsumption.Consume([Grant(1, 500)], 0);

        Assert.True(result.IsSuccess);
        Assert.Empty(result.Value);
    }

    [Fact]
    public void A_zero_debit_succeeds_even_on_an_empty_wallet()
    {
        Assert.True(GrantConsumption.Consume([], 0).IsSuccess);
    }

    [Fact]
    public void A_negative_debit_is_a_programming_error()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => GrantConsumption.Consume([Grant(1, 500)], -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => GrantConsumption.ConsumeFrom(Grant(1, 500), -1));
    }

    [Fact]
    public void Grants_with_nothing_left_take_no_part()
    {
        var grants = new[] { Grant(1, 0, priority: 1), Grant(2, -5, priority: 2), Grant(3, 100, priority: 3) };

        var result = GrantConsumption.Consume(grants, 100);

        Assert.Equal([new Consumption(Id(3), 100)], result.Value);
        Assert.Equal(AllocationErrors.ExceedsAvailableAmount, GrantConsumption.Consume(grants, 101).Error);
    }

    [Fact]
    public void The_same_grant_twice_is_a_programming_error()
    {
        Assert.Throws<ArgumentException>(() => GrantConsumption.Consume([Grant(1, 10), Grant(1, 20)], 5));
    }

    [Fact]
    public void Huge_balances_are_summed_without_overflow()
    {
        var grants = new[] { Grant(1, long.MaxValue), Grant(2, long.MaxValue) };

        var result = GrantConsumption.Consume(grants, long.MaxValue);

        Assert.Equal([new Consumption(Id(1), long.MaxValue)], result.Value);
    }

    [Fact]
    public void A_targeted_debit_takes_only_from_its_grant()
    {
        var result = GrantConsumption.ConsumeFrom(Grant(7, 300), 120);

        Assert.Equal([new Consumption(Id(7), 120)], result.Value);
    }

    [Fact]
    public void A_targeted_debit_larger_than_the_grant_is_rejected()
    {
        var result = GrantConsumption.ConsumeFrom(Grant(7, 300), 301);

        Assert.Equal(AllocationErrors.ExceedsRemainingTransactionAmount, result.Error);
    }

    [Fact]
    public void A_targeted_debit_on_an_empty_grant_reports_no_remaining_amount()
    {
        Assert.Equal(AllocationErrors.NoRemainingAmount, GrantConsumption.ConsumeFrom(Grant(7, 0), 0).Error);
        Assert.Equal(AllocationErrors.NoRemainingAmount, GrantConsumption.ConsumeFrom(Grant(7, 0), 10).Error);
    }

    [Fact]
    public void A_targeted_zero_debit_on_a_live_grant_writes_nothing()
    {
        var result = GrantConsumption.ConsumeFrom(Grant(7, 300), 0);

        Assert.True(result.IsSuccess);
        Assert.Empty(result.Value);
    }

    [Fact]
    public void A_failure_needs_an_error_code()
    {
        Assert.Throws<ArgumentException>(() => AllocationResult<int>.Failure(" "));
    }
}
