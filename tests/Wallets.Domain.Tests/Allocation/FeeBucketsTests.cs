using Wallets.Domain.Allocation;
using static Wallets.Domain.Tests.Allocation.Build;

namespace Wallets.Domain.Tests.Allocation;

public sealed class FeeBucketsTests
{
    private static readonly Guid Metric = Id(900);

    [Fact]
    public void Fees_sharing_a_key_are_summed_into_one_bucket()
    {
        var buckets = FeeBuckets.Build([Fee("charge", 100.5m, Metric), Fee("charge", 200.25m, Metric), Fee("charge", 10m)], 311);

        Assert.Equal(2, buckets.Count);
        Assert.Equal(new FeeBucket(new FeeKey("charge", Metric, null), 300.75m + 0.25m), buckets[0]);
        Assert.Equal(new FeeBucket(new FeeKey("charge", null, null), 10m), buckets[1]);
    }

    [Fact]
    public void Non_positive_fees_are_skipped_one_by_one_before_summing()
    {
        var buckets = FeeBuckets.Build([Fee("subscription", 500m), Fee("subscription", -200m), Fee("add_on", 0m)], 300);

        Assert.Equal([new FeeBucket(new FeeKey("subscription", null, null), 500m)], buckets);
    }

    [Fact]
    public void Buckets_are_ordered_by_amount_descending_then_by_key()
    {
        var buckets = FeeBuckets.Build(
            [Fee("subscription", 100m), Fee("charge", 100m, Metric), Fee("add_on", 300m), Fee("charge", 100m)],
            600);

        Assert.Equal(
            [new FeeKey("add_on", null, null), new FeeKey("charge", null, null), new FeeKey("charge", Metric, null), new FeeKey("subscription", null, null)],
            buckets.Select(b => b.Key));
    }

    [Fact]
    public void A_rounding_difference_of_at_most_a_cent_per_bucket_goes_to_the_largest_bucket()
    {
        var buckets = FeeBuckets.Build([Fee("subscription", 600.4m), Fee("charge", 399.3m)], 1001);

        Assert.Equal(601.7m, buckets[0].AmountCents);
        Assert.Equal(399.3m, buckets[1].AmountCents);
    }

    [Theory]
    [InlineData(1003)]
    [InlineData(999)]
    [InlineData(1000)]
    public void Larger_or_negative_differences_are_left_alone(long total)
    {
        var buckets = FeeBuckets.Build([Fee("subscription", 600m), Fee("charge", 400m)], total);

        Assert.Equal([600m, 400m], buckets.Select(b => b.AmountCents));
    }

    [Fact]
    public void A_blank_target_wallet_code_counts_as_untargeted()
    {
        var buckets = FeeBuckets.Build([Fee("charge", 10m, Metric, ""), Fee("charge", 5m, Metric, " "), Fee("charge", 1m, Metric)], 16);

        Assert.Equal([new FeeBucket(new FeeKey("charge", Metric, null), 16m)], buckets);
    }

    [Fact]
    public void Targeted_fees_get_their_own_bucket()
    {
        var buckets = FeeBuckets.Build([Fee("charge", 10m, Metric, "w2"), Fee("charge", 5m, Metric)], 15);

        Assert.Equal(2, buckets.Count);
        Assert.Equal("w2", buckets[0].Key.TargetWalletCode);
    }

    [Fact]
    public void No_fees_make_no_buckets()
    {
        Assert.Empty(FeeBuckets.Build([], 100));
    }
}
