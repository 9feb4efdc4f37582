using Npgsql;
using Wallets.Api.Data;
using Wallets.Api.Http;
using Wallets.Domain.Allocation;
using Wallets.Domain.Money;

namespace Wallets.Api.Ledger;

public enum HoldAction { Create, Capture, Release, Expire }

/// <summary>
/// One hold request, as sent (its JSON shape checked already): a create names the wallet, the others the hold.
/// <see cref="HoldAction.Expire"/> is the expiry job's: it ends the hold if it is past its expiry, and does nothing else.
/// </summary>
public sealed record HoldRequest(
    HoldAction Action, Guid OrganizationId, Guid Target, string? Credits = null, DateTimeOffset? ExpiresAt = null,
    string? ExternalId = null, Dictionary<string, string?>? Metadata = null);

/// <summary>
/// Holds on the ledger's hot path, batched like <see cref="GrantsAndVoids"/>: any number of requests in two round
/// trips. The first takes every customer's lock and reads the wallets, the holds named (and those past their expiry
/// on the same wallets, which end first, as `expired`), the grants of the wallets that get a new hold and the webhook
/// endpoints; each request is then checked and planned in memory, in order, seeing the ones before it; the second
/// round trip writes every row (<see cref="LedgerChanges"/>). A refused request writes nothing.
/// </summary>
public static class HoldsAndCaptures
{
    public static async Task<Result<Hold>[]> PlanAsync(LedgerSession session, IReadOnlyList<HoldRequest> requests, DateTimeOffset now, CancellationToken ct)
    {
        var state = await ReadAsync(session, requests, now, ct);
        return requests.Select(r => Plan(state, session.Changes, r, now)).ToArray();
    }

    private sealed class GrantState(InboundGrant grant, long held)
    {
        public InboundGrant Grant { get; set; } = grant;
        public long Held { get; set; } = held;
        /// <summary>What no hold reserves: what a new hold may take.</summary>
        public InboundGrant Available => Grant with { RemainingCents = Grant.RemainingCents - Held };
    }

    private sealed class State
    {
        public Dictionary<Guid, Wallet> Wallets { get; } = [];
        public Dictionary<Guid, List<GrantState>> Grants { get; } = [];
        public Dictionary<Guid, HeldHold> Holds { get; } = [];
        public Dictionary<(Guid Wallet, string ExternalId), HeldHold> ByExternalId { get; } = [];
    }

    // After the locks, so they read what the previous holders of the locks committed. A deleted customer's wallets are not found.
    private const string WalletsSql = """
        SELECT id, organization_id, customer_id, status, currency, rate_amount, balance_cents, held_cents, alert_floor_cents, alert_ceiling_cents FROM wallets w
        WHERE (id = ANY($1) OR id IN (SELECT wallet_id FROM holds WHERE id = ANY($2)))
          AND EXISTS (SELECT 1 FROM customers c WHERE c.id = w.customer_id AND c.deleted_at IS NULL)
        """;

    // The holds named, those a create's external id names again, and the active ones past their expiry on the same wallets.
    private const string HoldsSql = $"""
        SELECT {HoldRows.Columns} FROM holds h WHERE h.id IN (
            SELECT id FROM holds WHERE id = ANY($1)
            UNION SELECT id FROM holds WHERE status = 'active' AND expires_at <= $4
                AND wallet_id IN (SELECT wallet_id FROM holds WHERE id = ANY($1) UNION SELECT unnest($2::uuid[]))
            UNION SELECT k.id FROM holds k JOIN unnest($2::uuid[], $3::text[]) AS e (wallet_id, external_id)
                ON k.wallet_id = e.wallet_id AND k.external_id = e.external_id)
        """;

    private const string GrantsSql = """
        SELECT id, wallet_id, priority, transaction_status = 'granted', created_at, remaining_amount_cents, held_cents, expiration_at
        FROM wallet_transactions WHERE wallet_id = ANY($1) AND transaction_type = 'inbound' AND status = 'settled' AND remaining_amount_cents > 0
        """;

    private static async Task<State> ReadAsync(LedgerSession session, IReadOnlyList<HoldRequest> requests, DateTimeOffset now, CancellationToken ct)
    {
        var creates = requests.Where(r => r.Action == HoldAction.Create).ToList();
        var walletIds = creates.Select(r => r.Target).Distinct().ToArray();
        var holdIds = requests.Where(r => r.Action != HoldAction.Create).Select(r => r.Target).Distinct().ToArray();
        var organizations = requests.Select(r => r.OrganizationId).Distinct().ToArray();

        await using var batch = session.NewBatch(now);
        batch.BatchCommands.Add(CustomerLock.ForWalletsAndHolds(walletIds, holdIds));
        batch.BatchCommands.Add(LedgerChanges.Command(WalletsSql, walletIds, holdIds));
        batch.BatchCommands.Add(LedgerChanges.Command(HoldsSql, holdIds, creates.Select(r => r.Target).ToArray(),
            creates.Select(r => r.ExternalId ?? "").ToArray(), now));
        batch.BatchCommands.Add(LedgerChanges.Command(GrantsSql, walletIds));
        batch.BatchCommands.Add(WebhookSubscriptions.Command(organizations));
        await using var reader = await batch.ExecuteReaderAsync(ct);

        var state = new State();
        await reader.NextResultAsync(ct); // past the locks
        while (await reader.ReadAsync(ct))
        {
            var wallet = new Wallet
            {
                Id = reader.GetGuid(0), OrganizationId = reader.GetGuid(1), CustomerId = reader.GetGuid(2), Status = reader.GetString(3),
                Code = "", Currency = reader.GetString(4), RateAmount = reader.GetDecimal(5), BalanceCents = reader.GetInt64(6),
                HeldCents = reader.GetInt64(7), AlertFloorCents = reader.IsDBNull(8) ? null : reader.GetInt64(8),
                AlertCeilingCents = reader.IsDBNull(9) ? null : reader.GetInt64(9),
            };
            state.Wallets[wallet.Id] = wallet;
            state.Grants[wallet.Id] = [];
        }
        await reader.NextResultAsync(ct);
        var holds = await HoldRows.ReadAsync(reader, ct);
        await reader.NextResultAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var grant = new InboundGrant(reader.GetGuid(0), reader.GetInt32(2), reader.GetBoolean(3), reader.GetFieldValue<DateTimeOffset>(4),
                reader.GetInt64(5), reader.IsDBNull(7) ? null : reader.GetFieldValue<DateTimeOffset>(7));
            state.Grants[reader.GetGuid(1)].Add(new GrantState(grant, reader.GetInt64(6)));
        }
        await reader.NextResultAsync(ct);
        await session.Subscriptions.ReadAsync(reader, organizations, ct);

        foreach (var held in holds)
        {
            state.Holds[held.Hold.Id] = held;
            state.ByExternalId[(held.Hold.WalletId, held.Hold.ExternalId)] = held;
            if (held.Hold.IsDueAt(now) && state.Wallets.TryGetValue(held.Hold.WalletId, out var wallet))
            {
                held.Expire(session.Changes, now);
                Free(state, wallet, held);
            }
        }
        return state;
    }

    private static Result<Hold> Plan(State state, LedgerChanges changes, HoldRequest request, DateTimeOffset now)
    {
        if (request.Action == HoldAction.Create) return Create(state, changes, request, now);
        if (!state.Holds.TryGetValue(request.Target, out var held) || held.Hold.OrganizationId != request.OrganizationId
            || !state.Wallets.TryGetValue(held.Hold.WalletId, out var wallet))
            return LagoError.NotFound("hold");
        var hold = held.Hold;
        if (request.Action == HoldAction.Expire) return hold;
        if (hold.Status != HoldStatus.Active) return LagoError.Validation("status", "hold_not_active");
        return request.Action == HoldAction.Capture ? Capture(state, changes, wallet, held, request.Credits, now) : Release(state, changes, wallet, held, now);
    }

    private static Result<Hold> Create(State state, LedgerChanges changes, HoldRequest request, DateTimeOffset now)
    {
        if (!state.Wallets.TryGetValue(request.Target, out var wallet) || wallet.OrganizationId != request.OrganizationId)
            return LagoError.NotFound("wallet");
        var parsed = ParseCredits(wallet.Rate, request.Credits, allowZero: false);
        if (!parsed.IsOk) return parsed.Error!;
        var credit = parsed.Value!;
        // A retry with the same external id answers the hold it made; the same id asking for other credits is refused.
        if (state.ByExternalId.TryGetValue((wallet.Id, request.ExternalId!), out var existing))
            return existing.Hold.AmountCents == credit.AmountCents && existing.Hold.Credits == credit.Credits
                ? existing.Hold.AsOf(now) : LagoError.Validation("external_id", "value_already_exist");
        if (!wallet.IsActive) return LagoError.Validation("wallet_id", "wallet_is_terminated");
        if (request.ExpiresAt <= now) return LagoError.Validation("expires_at", "invalid_date");

        var grants = state.Grants[wallet.Id];
        var plan = HoldPlan.Reserve(grants.Select(g => g.Available).Where(g => g.RemainingCents > 0).ToList(), credit.AmountCents, request.ExpiresAt);
        if (!plan.IsSuccess) return LagoError.Validation("credits", "insufficient_credits");

        var hold = new Hold
        {
            Id = Ids.New(), OrganizationId = wallet.OrganizationId, CustomerId = wallet.CustomerId, WalletId = wallet.Id,
            ExternalId = request.ExternalId!, Credits = credit.Credits, AmountCents = credit.AmountCents,
            ExpiresAt = request.ExpiresAt, Metadata = request.Metadata, CreatedAt = now, UpdatedAt = now,
        };
        var held = new HeldHold(hold, plan.Value.Select(c => new HoldReservation(c.InboundId, c.Cents)).ToList());
        changes.Reserve(hold, held.Reservations);
        foreach (var r in held.Reservations) grants.First(g => g.Grant.Id == r.GrantId).Held += r.Cents;
        wallet.HeldCents += hold.AmountCents;
        state.Holds[hold.Id] = state.ByExternalId[(wallet.Id, hold.ExternalId)] = held;
        return hold;
    }

    /// <summary>Takes what the work used (all that is held when no credits are sent, nothing for 0) and releases the rest.</summary>
    private static Result<Hold> Capture(State state, LedgerChanges changes, Wallet wallet, HeldHold held, string? credits, DateTimeOffset now)
    {
        var hold = held.Hold;
        WalletCredit credit;
        if (credits is null) credit = new WalletCredit(hold.Credits, 0, hold.AmountCents);
        else
        {
            var parsed = ParseCredits(wallet.Rate, credits, allowZero: true);
            if (!parsed.IsOk) return parsed.Error!;
            credit = parsed.Value!;
            if (credit.Credits > hold.Credits) return LagoError.Validation("credits", HoldErrors.ExceedsHeldCredits);
        }
        var split = HoldPlan.Capture(held.Reservations.Select(r => new Consumption(r.GrantId, r.Cents)).ToList(), credit.AmountCents);
        if (!split.IsSuccess) return LagoError.Validation("credits", split.Error!);

        if (credit.AmountCents > 0)
        {
            var debit = WalletLedger.NewTransaction(wallet, Direction.Outbound, TxStatus.Settled, TxKind.Invoiced, credit,
                new TopUpDetails(null, null, [new KeyValue("lago_hold_id", hold.Id.ToString()), new KeyValue("hold_external_id", hold.ExternalId)], null), now);
            debit.SettledAt = now;
            debit.HoldId = hold.Id;
            changes.Insert(debit, wallet);
            foreach (var take in split.Value.Taken)
            {
                changes.Take(take.InboundId, debit, take.Cents);
                if (state.Grants.TryGetValue(wallet.Id, out var grants) && grants.Find(g => g.Grant.Id == take.InboundId) is { } grant)
                    grant.Grant = grant.Grant with { RemainingCents = grant.Grant.RemainingCents - take.Cents };
            }
            changes.Move(wallet, -credit.AmountCents, credit.AmountCents);
            wallet.BalanceCents -= credit.AmountCents;
            hold.WalletTransactionId = debit.Id;
        }
        hold.Status = HoldStatus.Captured;
        hold.CapturedCredits = credit.Credits;
        hold.CapturedAmountCents = credit.AmountCents;
        hold.CapturedAt = hold.ReleasedAt = hold.UpdatedAt = now;
        changes.End(hold, held.Reservations);
        Free(state, wallet, held);
        return hold;
    }

    private static Result<Hold> Release(State state, LedgerChanges changes, Wallet wallet, HeldHold held, DateTimeOffset now)
    {
        held.Hold.Status = HoldStatus.Released;
        held.Hold.ReleasedAt = held.Hold.UpdatedAt = now;
        changes.End(held.Hold, held.Reservations);
        Free(state, wallet, held);
        return held.Hold;
    }

    /// <summary>The batch's state after a hold ended: its grants and wallet no longer hold what it reserved.</summary>
    private static void Free(State state, Wallet wallet, HeldHold held)
    {
        wallet.HeldCents -= held.Hold.AmountCents;
        if (!state.Grants.TryGetValue(wallet.Id, out var grants)) return;
        foreach (var r in held.Reservations)
            if (grants.Find(g => g.Grant.Id == r.GrantId) is { } grant) grant.Held -= r.Cents;
    }

    /// <summary>Credits to hold or capture: a positive amount (or 0 for a capture) worth whole minor units of the wallet's currency.</summary>
    private static Result<WalletCredit> ParseCredits(CreditRate rate, string? text, bool allowZero)
    {
        if (text is null) return LagoError.Validation("credits", "value_is_mandatory");
        var parsed = TopUpAmounts.Parse(rate, text, "credits", roundTrip: false);
        if (!parsed.IsOk) return parsed.Error!;
        if (parsed.Value is { } credit) return credit;
        return allowZero ? new WalletCredit(0, 0, 0) : LagoError.Validation("credits", "invalid_credits");
    }
}
