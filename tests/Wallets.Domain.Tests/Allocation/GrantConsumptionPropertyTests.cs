using CsCheck;
using Wallets.Domain.Allocation;

namespace Wallets.Domain.Tests.Allocation;

/// <summary>
/// Generated wallet histories: grants, top-ups and debits (some too large) replayed against a ledger. A failure is
/// shrunk by CsCheck to its smallest history, and its seed printed to replay it.
/// </summary>
public sealed class GrantConsumptionPropertyTests
{
    private static readonly DateTimeOffset T0 = new(2025, 3, 1, 0, 0, 0, TimeSpan.Zero);

    // Mostly a few priorities and minutes, so ties on every key happen often; sometimes the full 1..50 range. A third of
    // the grants expire, at one of a few minutes, so equal expiries happen too.
    private static readonly Gen<InboundGrant> GrantGen = Gen.Select(
        Gen.Guid, Gen.Frequency((3, Gen.Int[1, 3]), (1, Gen.Int[1, 50])), Gen.Bool, Gen.Int[0, 4],
        Gen.Frequency((1, Gen.Const(0L)), (3, Gen.Long[1, 4_999])), Gen.Frequency((2, Gen.Const(-1)), (1, Gen.Int[1, 8])),
        (id, priority, granted, minute, cents, expires) =>
            new InboundGrant(id, priority, granted, T0.AddMinutes(minute), cents, expires < 0 ? null : T0.AddMinutes(expires)));

    /// <summary>
    /// One step: a new grant (kind 0), a debit of one grant (1), a debit in consumption order (2), or the clock moving on
    /// 0 to 2 minutes and the expiries then due being voided (3). `Pick` chooses the amount among those the wallet can
    /// pay (modulo what is there); `Over` asks for `Extra` more than there is.
    /// </summary>
    private sealed record Step(int Kind, InboundGrant Grant, int Target, bool Over, long Extra, long Pick);

    private static readonly Gen<Step> StepGen = Gen.Select(
        Gen.Frequency((2, Gen.Const(0)), (2, Gen.Const(1)), (6, Gen.Const(2)), (2, Gen.Const(3))), GrantGen, Gen.Int[0, 1_000],
        Gen.Frequency((4, Gen.Const(false)), (1, Gen.Const(true))), Gen.Long[1, 499], Gen.Long[0, 1_000_000],
        (kind, grant, target, over, extra, pick) => new Step(kind, grant, target, over, extra, pick));

    [Fact]
    public void Histories_with_expiries_conserve_every_cent_respect_the_order_and_never_spend_expired_credits() =>
        Gen.Select(GrantGen.Array[0, 11], StepGen.Array[1, 39])
            .Sample(history => new Ledger().Replay(history.Item1, history.Item2), iter: 3_000);

    /// <summary>An in-memory wallet that applies the engine's answers the way the API applies them in SQL.</summary>
    private sealed class Ledger
    {
        private readonly Dictionary<Guid, long> _original = [];
        private readonly Dictionary<Guid, long> _consumed = [];
        private List<InboundGrant> _grants = [];
        // The debits' instant; it only moves forward, as the clock does.
        private DateTimeOffset _now = T0;

        public void Replay(InboundGrant[] opening, Step[] steps)
        {
            foreach (var grant in opening) AddGrant(grant);
            foreach (var step in steps)
            {
                if (step.Kind == 0) AddGrant(step.Grant);
                else if (step.Kind == 1 && _grants.Count > 0) DebitOneGrant(step);
                else if (step.Kind == 3) Expire(TimeSpan.FromMinutes(step.Pick % 3));
                else DebitByOrder(step);
            }
            Expire(TimeSpan.FromMinutes(10));

            foreach (var grant in _grants)
            {
                Assert.Equal(_original[grant.Id], grant.RemainingCents + _consumed[grant.Id]);
                Assert.True(grant.RemainingCents >= 0);
            }
        }

        private void AddGrant(InboundGrant grant)
        {
            // A repeated id (shrinking may make two grants alike) stands for a new grant of its own.
            if (_original.ContainsKey(grant.Id)) grant = grant with { Id = Guid.NewGuid() };
            _grants.Add(grant);
            _original[grant.Id] = grant.RemainingCents;
            _consumed[grant.Id] = 0;
        }

        /// <summary>The clock moves on, and every expiry due is voided: all an expired grant holds, and nothing else.</summary>
        private void Expire(TimeSpan by)
        {
            _now += by;
            var live = _grants.Where(g => !GrantExpiry.IsExpired(g, _now)).ToList();
            var voids = GrantExpiry.Due(_grants, _now);

            Assert.Equal(voids.Count, voids.Select(v => v.InboundId).Distinct().Count());
            Assert.True(voids.Zip(voids.Skip(1)).All(p => p.First.ExpiredAt <= p.Second.ExpiredAt), "expiries out of order");
            Apply(voids.Select(v => new Consumption(v.InboundId, v.Cents)).ToList());

            Assert.All(_grants.Where(g => GrantExpiry.IsExpired(g, _now)), g => Assert.Equal(0, g.RemainingCents));
            Assert.Equal(live, _grants.Where(g => !GrantExpiry.IsExpired(g, _now)));
            Assert.Empty(GrantExpiry.Due(_grants, _now));
        }

        private void DebitByOrder(Step step)
        {
            var available = _grants.Where(g => !GrantExpiry.IsExpired(g, _now)).Sum(g => g.RemainingCents);
            var need = step.Over ? available + step.Extra : step.Pick % (available + 1);
            var before = _grants.ToList();

            var result = GrantConsumption.Consume(_grants, need, _now);

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

            Assert.All(rows, r => Assert.False(GrantExpiry.IsExpired(before.Single(g => g.Id == r.InboundId), _now), "an expired grant funded a debit"));
            Apply(rows);
            AssertOrderRespected(before, rows);
        }

        private void DebitOneGrant(Step step)
        {
            var target = _grants[step.Target % _grants.Count];
            var need = step.Over ? target.RemainingCents + step.Extra : step.Pick % (target.RemainingCents + 1);
            var before = _grants.ToList();

            var result = GrantConsumption.ConsumeFrom(target, need, _now);

            Assert.Equal(before, _grants);
            if (target.RemainingCents == 0 || GrantExpiry.IsExpired(target, _now))
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

        // No grant may be drawn while a usable grant earlier in the order still has something left after the debit.
        private void AssertOrderRespected(List<InboundGrant> before, IReadOnlyList<Consumption> rows)
        {
            var touched = rows.Select(r => before.Single(g => g.Id == r.InboundId)).ToList();
            foreach (var drawn in touched)
            {
                foreach (var earlier in before.Where(g => g.RemainingCents > 0 && !GrantExpiry.IsExpired(g, _now)
                             && ConsumptionOrder.Instance.Compare(g, drawn) < 0))
                {
                    Assert.Equal(0, Remaining(earlier.Id));
                }
            }
        }

        private long Remaining(Guid id) => _grants.Single(g => g.Id == id).RemainingCents;
    }
}
