using Microsoft.EntityFrameworkCore;
using Wallets.Api.Data;
using Wallets.Api.Features.Subscriptions;
using Wallets.Api.Features.Wallets;
using Wallets.Api.Http;
using Wallets.Domain.TopUps;

namespace Wallets.Api.Jobs;

/// <summary>
/// Recurring top-ups (behavior.md §5.5), every <c>Jobs:RecurringTopUpSeconds</c> (default 10 s, where Lago refreshes ongoing
/// balances every 5 minutes):
/// - terminates rules whose `expiration_at` has passed;
/// - threshold rules: checks the wallets whose customer's usage or wallets changed since the previous round (every one
///   each 5 minutes, Lago's cadence, for changes no such row shows, such as a price), at their real-time ongoing
///   balance, read for a few hundred wallets at a time; only those at or below their threshold take the lock;
/// - interval rules, once a minute: the wallets whose anniversary it is today in the customer's time zone and that
///   had no interval top-up today.
/// Each wallet is decided and topped up under its customer's lock (<see cref="RecurringTopUps"/>), so rounds that overlap,
/// in one process or several, top a wallet up once.
/// </summary>
public sealed class RecurringTopUpJob(IServiceScopeFactory scopes, TimeProvider clock, JobMetrics metrics, ILogger<RecurringTopUpJob> logger, IConfiguration configuration)
    : ClockJob(clock, logger)
{
    private static readonly TimeSpan IntervalRound = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan EveryThresholdWallet = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan CommitMargin = TimeSpan.FromSeconds(5);
    private readonly Lock _gate = new();
    private DateTimeOffset? _thresholdsCheckedAt;
    private DateTimeOffset? _everyWalletCheckedAt;
    private DateTimeOffset? _intervalsCheckedAt;

    protected override TimeSpan Period => TimeSpan.FromSeconds(Math.Max(1, configuration.GetValue("Jobs:RecurringTopUpSeconds", 10)));

    /// <summary>One round; returns the number of top-ups made.</summary>
    public override async Task<int> RunOnceAsync(CancellationToken ct)
    {
        var now = Clock.GetUtcNow();
        // What this round checks; rounds may overlap (tests run several at once, as several processes would).
        DateTimeOffset? since;
        bool checkIntervals;
        lock (_gate)
        {
            // Since a little before the previous round: a change made just before it may have committed just after its query.
            since = _everyWalletCheckedAt is { } full && now - full < EveryThresholdWallet ? _thresholdsCheckedAt - CommitMargin : null;
            if (since is null) _everyWalletCheckedAt = now;
            _thresholdsCheckedAt = now;
            checkIntervals = _intervalsCheckedAt is not { } last || now - last >= IntervalRound;
            if (checkIntervals) _intervalsCheckedAt = now;
        }
        List<(Guid Wallet, Guid Organization)> thresholds, intervals;
        try
        {
            (thresholds, intervals) = await DueAsync(now, since, checkIntervals, ct);
        }
        catch
        {
            // What this round should have covered is covered by the next one, in full.
            lock (_gate) _everyWalletCheckedAt = _intervalsCheckedAt = null;
            throw;
        }

        var made = 0;
        foreach (var (wallet, organization) in thresholds) made += await TopUpAsync(wallet, organization, RuleTrigger.Threshold, ct);
        foreach (var (wallet, organization) in intervals) made += await TopUpAsync(wallet, organization, RuleTrigger.Interval, ct);
        return made;
    }

    /// <summary>The threshold wallets at their threshold and the interval wallets due today, after ending expired rules.</summary>
    private async Task<(List<(Guid, Guid)> Thresholds, List<(Guid, Guid)> Intervals)> DueAsync(DateTimeOffset now, DateTimeOffset? since, bool checkIntervals, CancellationToken ct)
    {
        List<(Guid Wallet, Guid Organization)> thresholds, intervals = [];
        using (var scope = scopes.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<WalletsDbContext>();
            await db.Database.ExecuteSqlAsync($"""
                UPDATE recurring_transaction_rules SET status = 'terminated', terminated_at = {now}, updated_at = {now}
                WHERE status = 'active' AND expiration_at <= {now}
                """, ct);

            var candidates = await db.Database.SqlQuery<ThresholdWallet>($"""
                SELECT w.id AS "Wallet", w.organization_id AS "Organization", w.customer_id AS "Customer", w.balance_cents AS "BalanceCents", w.held_cents AS "HeldCents",
                       w.rate_amount AS "RateAmount", w.currency AS "Currency", r.threshold_credits AS "ThresholdCredits",
                       (SELECT COALESCE(sum(t.credit_amount), 0) FROM wallet_transactions t WHERE t.wallet_id = w.id AND t.status = 'pending') AS "PendingCredits"
                FROM recurring_transaction_rules r JOIN wallets w ON w.id = r.wallet_id AND w.status = 'active'
                WHERE r.status = 'active' AND r."trigger" = 'threshold'
                  AND ({since}::timestamptz IS NULL OR r.updated_at >= {since}
                       OR EXISTS (SELECT 1 FROM wallets o WHERE o.customer_id = w.customer_id AND o.updated_at >= {since})
                       OR EXISTS (SELECT 1 FROM subscriptions s JOIN charge_usage u ON u.subscription_id = s.id
                                  WHERE s.customer_id = w.customer_id AND s.status = 'active' AND u.updated_at >= {since}))
                """).ToListAsync(ct);
            thresholds = await BelowThresholdAsync(scope.ServiceProvider.GetRequiredService<OngoingBalances>(), candidates, ct);

            if (checkIntervals)
            {
                intervals = (await db.Database.SqlQuery<IntervalRule>($"""
                        SELECT w.id AS "Wallet", w.organization_id AS "Organization", r."interval" AS "Interval",
                               r.started_at AS "StartedAt", w.created_at AS "WalletCreatedAt", c.timezone AS "Timezone",
                               (SELECT max(t.created_at) FROM wallet_transactions t
                                WHERE t.wallet_id = w.id AND t.source = 'interval' AND t.transaction_type = 'inbound') AS "LastTopUpAt"
                        FROM recurring_transaction_rules r JOIN wallets w ON w.id = r.wallet_id AND w.status = 'active'
                        JOIN customers c ON c.id = w.customer_id
                        WHERE r.status = 'active' AND r."trigger" = 'interval' AND (r.started_at IS NULL OR r.started_at <= {now})
                        """).ToListAsync(ct))
                    .Where(r => r.IsDue(now)).Select(r => (r.Wallet, r.Organization)).ToList();
            }
        }
        return (thresholds, intervals);
    }

    /// <summary>
    /// The candidates at or below their threshold, by their ongoing balance read as a wallet read reads it (no lock; a few
    /// hundred wallets per query): only those are then decided under the lock, so a round over wallets whose usage keeps
    /// changing costs a read per wallet, not a transaction.
    /// </summary>
    private async Task<List<(Guid Wallet, Guid Organization)>> BelowThresholdAsync(OngoingBalances ongoing, List<ThresholdWallet> candidates, CancellationToken ct)
    {
        var below = new List<(Guid, Guid)>();
        foreach (var organization in candidates.GroupBy(c => c.Organization))
        {
            foreach (var chunk in organization.Chunk(200))
            {
                var wallets = chunk.Select(c => new Wallet
                {
                    Id = c.Wallet, OrganizationId = c.Organization, CustomerId = c.Customer, Code = "", Currency = c.Currency,
                    RateAmount = c.RateAmount, BalanceCents = c.BalanceCents, HeldCents = c.HeldCents,
                }).ToList();
                IReadOnlyDictionary<Guid, long> usage;
                try
                {
                    usage = await ongoing.UsageOfAsync(wallets, null, ct);
                }
                catch (Exception e) when (!ct.IsCancellationRequested)
                {
                    // One customer's trouble must not stop the others' top-ups: these are decided one by one, under the lock.
                    logger.LogWarning(e, "Reading the ongoing balances of {Count} threshold wallets failed; checking them one by one", chunk.Length);
                    below.AddRange(chunk.Select(c => (c.Wallet, c.Organization)));
                    continue;
                }
                foreach (var (candidate, wallet) in chunk.Zip(wallets))
                {
                    var credits = wallet.Rate.SignedCredits(wallet.AvailableCents - usage.GetValueOrDefault(wallet.Id));
                    var state = new TopUpWallet(credits, candidate.PendingCredits, null, null);
                    if (RuleTopUps.IsBelowThreshold(new TopUpRule(0, 0, candidate.ThresholdCredits, null, false), state)) below.Add((candidate.Wallet, candidate.Organization));
                }
            }
        }
        return below;
    }

    private async Task<int> TopUpAsync(Guid walletId, Guid organizationId, string trigger, CancellationToken ct)
    {
        using var scope = scopes.CreateScope();
        scope.ServiceProvider.GetRequiredService<Tenant>().OrganizationId = organizationId;
        var tag = new KeyValuePair<string, object?>("trigger", trigger);
        try
        {
            if ((await scope.ServiceProvider.GetRequiredService<RecurringTopUps>().RunAsync(walletId, trigger, ct)).Count == 0) return 0;
            metrics.TopUps.Add(1, tag);
            return 1;
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            // One wallet's failure does not hold the others back; it is tried again next round.
            metrics.TopUpsFailed.Add(1, tag);
            logger.LogError(e, "Recurring {Trigger} top-up of wallet {Wallet} failed", trigger, walletId);
            return 0;
        }
    }

    private sealed class ThresholdWallet
    {
        public Guid Wallet { get; init; }
        public Guid Organization { get; init; }
        public Guid Customer { get; init; }
        public long BalanceCents { get; init; }
        public long HeldCents { get; init; }
        public decimal RateAmount { get; init; }
        public string Currency { get; init; } = "";
        public decimal ThresholdCredits { get; init; }
        public decimal PendingCredits { get; init; }
    }

    private sealed class IntervalRule
    {
        public Guid Wallet { get; init; }
        public Guid Organization { get; init; }
        public string Interval { get; init; } = "";
        public DateTimeOffset? StartedAt { get; init; }
        public DateTimeOffset WalletCreatedAt { get; init; }
        public string? Timezone { get; init; }
        public DateTimeOffset? LastTopUpAt { get; init; }

        /// <summary>The test <see cref="RecurringTopUps"/> makes again under the lock, to leave out the wallets that are not due.</summary>
        public bool IsDue(DateTimeOffset now) =>
            TopUpSchedule.IsDue(Interval, StartedAt, WalletCreatedAt, LastTopUpAt, now, SubscriptionViews.ZoneOf(Timezone));
    }
}
