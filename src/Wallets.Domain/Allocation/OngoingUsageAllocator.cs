namespace Wallets.Domain.Allocation;

/// <summary>
/// Net not-yet-invoiced usage of one fee key, taxes included (current usage + draft invoice fees − progressively
/// billed − pay-in-advance). May be negative: an over-billed key lowers the budget of the others.
/// </summary>
public sealed record UsageByKey(string FeeType, Guid? BillableMetricId, string? TargetWalletCode, long AmountCents);

/// <summary>A wallet for the ongoing-balance projection; its balance may be 0 here.</summary>
/// <param name="HasActiveThresholdRule">The wallet has a currently active threshold recurring rule.</param>
public sealed record OngoingWallet(WalletCandidate Wallet, bool HasActiveThresholdRule);

/// <summary>The usage assigned to a wallet; the caller stores ongoing_usage_balance_cents = it and ongoing_balance_cents = balance − it.</summary>
public sealed record OngoingUsage(Guid WalletId, long OngoingUsageCents);

/// <summary>Spreads ongoing usage over a customer's wallets of one currency (behavior.md §4.3, real-time balance).</summary>
public static class OngoingUsageAllocator
{
    /// <summary>
    /// The budget is max(0, Σ net usage). Positive keys, largest first (ties by key), cascade over the wallets that may
    /// pay them in application order: each takes min(key left, balance − already allocated), except that a wallet with an
    /// active threshold rule takes everything left and the last applicable wallet takes the overflow (both may exceed
    /// their balance). A targeted key whose wallet is absent is allocated to nobody. Returns every wallet, in order.
    /// </summary>
    public static IReadOnlyList<OngoingUsage> Allocate(IReadOnlyList<OngoingWallet> wallets, IReadOnlyList<UsageByKey> usage)
    {
        ArgumentNullException.ThrowIfNull(wallets);
        ArgumentNullException.ThrowIfNull(usage);

        var thresholdIds = wallets.Where(w => w.HasActiveThresholdRule).Select(w => w.Wallet.Id).ToHashSet();
        var ordered = WalletApplicationOrder.Sort(wallets.Select(w => w.Wallet));
        var allocated = new long[ordered.Count];

        var net = new Dictionary<FeeKey, long>();
        foreach (var item in usage)
        {
            var key = new FeeKey(item.FeeType, item.BillableMetricId, item.TargetWalletCode);
            net[key] = net.GetValueOrDefault(key) + item.AmountCents;
        }

        var budget = Math.Max(0L, net.Values.Sum());
        var pool = net.Where(pair => pair.Value > 0).ToList();
        pool.Sort((x, y) => x.Value != y.Value ? y.Value.CompareTo(x.Value) : FeeKey.CompareKeys(x.Key, y.Key));

        foreach (var (key, amount) in pool)
        {
            var remaining = Math.Min(amount, budget);
            var applicable = Enumerable.Range(0, ordered.Count).Where(i => key.MayBePaidBy(ordered[i])).ToList();
            for (var n = 0; n < applicable.Count && remaining > 0; n++)
            {
                var i = applicable[n];
                long take;
                if (thresholdIds.Contains(ordered[i].Id) || n == applicable.Count - 1)
                {
                    // A threshold wallet absorbs all so its rule fires and refills it; the last wallet carries the overflow.
                    take = remaining;
                }
                else
                {
                    var room = ordered[i].BalanceCents - allocated[i];
                    if (room <= 0)
                    {
                        continue;
                    }

                    take = Math.Min(remaining, room);
                }

                allocated[i] += take;
                remaining -= take;
                budget -= take;
            }
        }

        return ordered.Select((wallet, i) => new OngoingUsage(wallet.Id, allocated[i])).ToArray();
    }
}
