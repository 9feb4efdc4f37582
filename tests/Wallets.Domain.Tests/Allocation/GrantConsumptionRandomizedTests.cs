using Wallets.Domain.Allocation;

namespace Wallets.Domain.Tests.Allocation;

/// <summary>Thousands of generated wallet histories: grants, top-ups and debits (some too large) replayed against a ledger.</summary>
public sealed class GrantConsumptionRandomizedTests
{
    private static readonly DateTimeOffset T0 = new(2025, 3, 1, 0, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void Random_histories_conserve_every_cent_and_respect_the_order(int seed)
    {
        var random = new Random(seed);
        for (var history = 0; history < 600; history++)
        {
            new Ledger(random).Replay(operations: random.Next(1, 40));
        }
    }

    /// <summary>An in-memory wallet that applies the engine's answers the way the API applies them in SQL.</summary>
    private sealed class Ledger(Random random)
    {
        private readonly Dictionary<Guid, long> _original = [];
        private readonly Dictionary<Guid, long> _consumed = [];
        private List<InboundGrant> _grants = [];

        public void Replay(int operations)
        {
            for (var i = random.Next(0, 12); i > 0; i--)
            {
                AddGrant();
            }

            for (var op = 0; op < operations; op++)
            {
                var roll = random.Next(10);
                if (roll < 2)
                {
                    AddGrant();
                }
                else if (roll < 4 && _grants.Count > 0)
                {
                    DebitOneGrant();
                }
                else
                {
                    DebitByOrder();
                }
            }

            foreach (var grant in _grants)
            {
                Assert.Equal(_original[grant.Id], grant.RemainingCents + _consumed[grant.Id]);
                Assert.True(grant.RemainingCents >= 0);
            }
        }

        private void AddGrant()
        {
            var bytes = new byte[16];
            random.NextBytes(bytes);
            var id = new Guid(bytes);
            var cents = random.Next(4) == 0 ? 0 : random.NextInt64(1, 5_000);
            // Mostly a few priorities and minutes, so ties on every key happen often; sometimes the full 1..50 range.
            var priority = random.Next(4) == 0 ? random.Next(1, 51) : random.Next(1, 4);
            var grant = new InboundGrant(id, priority, random.Next(2) == 0, T0.AddMinutes(random.Next(5)), cents);
            _grants.Add(grant);
            _original[id] = cents;
            _consumed[id] = 0;
        }

        private void DebitByOrder()
        {
            var available = _grants.Sum(g => g.RemainingCents);
            var need = random.Next(5) == 0 ? available + random.NextInt64(1, 500) : random.NextInt64(0, available + 1);
            var before = _grants.ToList();

            var result = GrantConsumption.Consume(_grants, need);

            Assert.Equal(before, _grants);
            if (need > available)
            {
                Assert.False(result.IsSuccess);
                Assert.Equal(AllocationErrors.ExceedsAvailableAmount, result.Error);
                return;
            }

            Assert.True(result.IsSuccess);
            var rows = result.Value;
            Assert.Equal(need, rows.Sum(r => r.Cents));
            Assert.Equal(rows.Count, rows.Select(r => r.InboundId).Distinct().Count());
            for (var i = 0; i < rows.Count - 1; i++)
            {
                // Only the last row may leave something behind in its grant.
                Assert.Equal(Remaining(rows[i].InboundId), rows[i].Cents);
            }

            Apply(rows);
            AssertOrderRespected(before, rows);
        }

        private void DebitOneGrant()
        {
            var target = _grants[random.Next(_grants.Count)];
            var need = random.Next(4) == 0 ? target.RemainingCents + random.NextInt64(1, 100) : random.NextInt64(0, target.RemainingCents + 1);
            var before = _grants.ToList();

            var result = GrantConsumption.ConsumeFrom(target, need);

            Assert.Equal(before, _grants);
            if (target.RemainingCents == 0)
            {
                Assert.Equal(AllocationErrors.NoRemainingAmount, result.Error);
                return;
            }

            if (need > target.RemainingCents)
            {
                Assert.Equal(AllocationErrors.ExceedsRemainingTransactionAmount, result.Error);
                return;
            }

            Assert.Equal(need, result.Value.Sum(r => r.Cents));
            Assert.All(result.Value, r => Assert.Equal(target.Id, r.InboundId));
            Apply(result.Value);
        }

        private void Apply(IReadOnlyList<Consumption> rows)
        {
            foreach (var row in rows)
            {
                Assert.True(row.Cents > 0);
                var remaining = Remaining(row.InboundId) - row.Cents;
                Assert.True(remaining >= 0, "a consumption drove a grant negative");
                _grants = _grants.Select(g => g.Id == row.InboundId ? g with { RemainingCents = remaining } : g).ToList();
                _consumed[row.InboundId] += row.Cents;
            }
        }

        // No grant may be drawn while a grant earlier in the order still has something left after the debit.
        private void AssertOrderRespected(List<InboundGrant> before, IReadOnlyList<Consumption> rows)
        {
            var touched = rows.Select(r => before.Single(g => g.Id == r.InboundId)).ToList();
            foreach (var drawn in touched)
            {
                foreach (var earlier in before.Where(g => g.RemainingCents > 0 && ConsumptionOrder.Instance.Compare(g, drawn) < 0))
                {
                    Assert.Equal(0, Remaining(earlier.Id));
                }
            }
        }

        private long Remaining(Guid id) => _grants.Single(g => g.Id == id).RemainingCents;
    }
}
