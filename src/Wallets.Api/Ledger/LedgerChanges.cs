using Npgsql;
using NpgsqlTypes;
using Wallets.Api.Data;
using Wallets.Api.Features.Alerts;
using Wallets.Api.Features.Webhooks;

namespace Wallets.Api.Ledger;

/// <summary>
/// The one writer of ledger rows: everything a unit of work changes in `wallet_transactions`, in
/// `wallet_transaction_consumptions` and in wallet balances, with the webhooks that report it, written set-based in
/// one statement batch (one statement per kind of change, whatever the number of rows). Group commits and handler
/// transactions alike collect their changes here; <see cref="LedgerSession"/> sends them. The database re-checks
/// every ledger rule (balances equal their grants, every debit funded, holds within what is there) at commit.
/// </summary>
public sealed class LedgerChanges
{
    private readonly List<WalletTransaction> _inserts = [];
    // A grant inserted by this batch is written with what the batch left in it.
    private readonly Dictionary<Guid, long> _insertRemaining = [];
    private readonly Dictionary<Guid, long> _taken = [];
    private readonly List<WalletTransaction> _statusChanges = [];
    private readonly List<(Guid Id, Guid OrganizationId, Guid WalletId, Guid Inbound, Guid Outbound, long Cents)> _consumptions = [];
    private readonly Dictionary<Guid, (long Balance, long Consumed)> _wallets = [];
    private readonly List<LedgerWebhook> _webhooks = [];
    // The wallets whose new balance left their alert band: their balance alerts are evaluated in the batch. Once
    // evaluated, a wallet's band as read is stale, so the session evaluates it on every later move.
    private readonly HashSet<Guid> _alerted = [];
    // The soonest expiry of the grants each wallet gained (inserted or settled), and the wallets whose expiries were voided.
    private readonly Dictionary<Guid, DateTimeOffset> _expiring = [];
    private readonly HashSet<Guid> _expired = [];
    private readonly HashSet<Guid> _evaluated = [];

    private readonly List<(Hold Hold, IReadOnlyList<HoldReservation> Reservations)> _newHolds = [];
    private readonly List<Hold> _endedHolds = [];
    // What holds reserve moves, per grant and per wallet (net over the batch).
    private readonly Dictionary<Guid, long> _heldGrants = [];
    private readonly Dictionary<Guid, long> _heldWallets = [];

    /// <summary>The customers whose balances this session moved (their ongoing balances moved too), kept until the session ends.</summary>
    public HashSet<(Guid Organization, Guid Customer)> MovedCustomers { get; } = [];

    public bool HasRows => _inserts.Count > 0 || _statusChanges.Count > 0 || _taken.Count > 0 || _wallets.Count > 0 || _expired.Count > 0
        || _newHolds.Count > 0 || _endedHolds.Count > 0;

    public bool HasWebhooks => _webhooks.Count > 0;

    /// <summary>A new row, reported by `wallet_transaction.created`.</summary>
    public void Insert(WalletTransaction row, Wallet wallet)
    {
        _inserts.Add(row);
        if (row.RemainingAmountCents is { } remaining) _insertRemaining[row.Id] = remaining;
        Expiring(row);
        _webhooks.Add(LedgerWebhook.Of(LedgerWebhook.Created, row, wallet));
    }

    /// <summary>A purchase settled or failed (its status, settled/failed time and remaining), reported by `wallet_transaction.updated`.</summary>
    public void ChangeStatus(WalletTransaction row, Wallet wallet)
    {
        _statusChanges.Add(row);
        Expiring(row);
        _webhooks.Add(LedgerWebhook.Of(LedgerWebhook.Updated, row, wallet));
    }

    /// <summary>An open grant with an expiry brings its wallet's next expiry forward (the wallet's row moves with its balance).</summary>
    private void Expiring(WalletTransaction row)
    {
        if (row is not { IsInbound: true, Status: TxStatus.Settled, ExpirationAt: { } at }) return;
        _expiring[row.WalletId] = _expiring.TryGetValue(row.WalletId, out var soonest) && soonest < at ? soonest : at;
    }

    /// <summary>The wallet's due expiries were voided in this batch: its next expiry is read again from its open grants, after every row change.</summary>
    public void ExpiriesVoided(Guid walletId) => _expired.Add(walletId);

    /// <summary>The purchase's payment failed: `wallet_transaction.payment_failure`.</summary>
    public void PaymentFailed(WalletTransaction row, Wallet wallet) => _webhooks.Add(LedgerWebhook.Of(LedgerWebhook.PaymentFailure, row, wallet));

    /// <summary>A debit takes <paramref name="cents"/> from a grant (one already stored, or one inserted by this batch), traced by a consumption row.</summary>
    public void Take(Guid grantId, WalletTransaction debit, long cents)
    {
        if (_insertRemaining.TryGetValue(grantId, out var left)) _insertRemaining[grantId] = left - cents;
        else _taken[grantId] = _taken.GetValueOrDefault(grantId) + cents;
        _consumptions.Add((Ids.New(), debit.OrganizationId, debit.WalletId, grantId, debit.Id, cents));
    }

    /// <summary>What a wallet's balance and consumed amount move by (the consumed amount never goes below 0).</summary>
    public void Move(Wallet wallet, long balanceCents, long consumedCents)
    {
        var (balance, consumed) = _wallets.GetValueOrDefault(wallet.Id);
        _wallets[wallet.Id] = (balance + balanceCents, consumed + consumedCents);
        if (balanceCents == 0) return;
        MovedCustomers.Add((wallet.OrganizationId, wallet.CustomerId));
        // Callers move the wallet's balance in memory after this call.
        if (_evaluated.Contains(wallet.Id) || wallet.LeavesAlertBand(wallet.BalanceCents + balanceCents)) _alerted.Add(wallet.Id);
    }

    /// <summary>A new active hold: its grants and its wallet hold what it reserved from each (`hold.created`).</summary>
    public void Reserve(Hold hold, IReadOnlyList<HoldReservation> reservations)
    {
        _newHolds.Add((hold, reservations));
        MoveHeld(hold, reservations, +1);
        _webhooks.Add(LedgerWebhook.Of(hold));
    }

    /// <summary>
    /// A hold ends as its status says (captured, released or expired): nothing it reserved is held any more (a
    /// capture's debit, written as any other, takes its part). Reported by `hold.&lt;status&gt;`.
    /// </summary>
    public void End(Hold hold, IReadOnlyList<HoldReservation> reservations)
    {
        _endedHolds.Add(hold);
        MoveHeld(hold, reservations, -1);
        _webhooks.Add(LedgerWebhook.Of(hold));
    }

    private void MoveHeld(Hold hold, IReadOnlyList<HoldReservation> reservations, int sign)
    {
        foreach (var r in reservations) _heldGrants[r.GrantId] = _heldGrants.GetValueOrDefault(r.GrantId) + sign * r.Cents;
        _heldWallets[hold.WalletId] = _heldWallets.GetValueOrDefault(hold.WalletId) + sign * hold.AmountCents;
    }

    public IEnumerable<Guid> WebhookOrganizations => _webhooks.Select(w => w.OrganizationId).Distinct();

    // Relative updates: the row was read under the customer lock, but the delta is what this batch decided. The same
    // statement appends the balance history row (checked at commit to be the wallet's balance): the change counts from
    // when its rows took effect, never before the wallet's previous change.
    // A grant gained brings next_expiration_at forward (LEAST ignores nulls: unchanged for the others, so their update stays HOT).
    private const string WalletsSql = """
        WITH u AS (
            UPDATE wallets w SET balance_cents = w.balance_cents + d.balance, consumed_amount_cents = GREATEST(0, w.consumed_amount_cents + d.consumed),
                balance_seq = w.balance_seq + 1, last_balance_sync_at = GREATEST(d.at, w.last_balance_sync_at),
                last_consumed_credit_at = CASE WHEN d.consumed > 0 THEN $4 ELSE w.last_consumed_credit_at END, updated_at = $4,
                next_expiration_at = LEAST(w.next_expiration_at, d.next)
            FROM unnest($1::uuid[], $2::bigint[], $3::bigint[], $5::timestamptz[], $6::timestamptz[]) AS d (id, balance, consumed, at, next) WHERE w.id = d.id
            RETURNING w.id, w.customer_id, w.organization_id, w.balance_seq, w.last_balance_sync_at, w.balance_cents, w.consumed_amount_cents)
        INSERT INTO wallet_balance_changes (wallet_id, customer_id, organization_id, seq, at, balance_cents, consumed_amount_cents) SELECT * FROM u
        """;

    private const string InsertSql = """
        INSERT INTO wallet_transactions (id, organization_id, customer_id, wallet_id, transaction_type, status, transaction_status, source,
            amount_cents, credit_amount, remaining_amount_cents, priority, name, metadata, invoice_id, voided_invoice_id,
            invoice_requires_successful_payment, settled_at, expiration_at, created_at, hold_id, updated_at)
        SELECT t.*, t.created_at FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::text[], $6::text[], $7::text[], $8::text[],
            $9::bigint[], $10::numeric[], $11::bigint[], $12::integer[], $13::varchar[], $14::jsonb[], $15::uuid[], $16::uuid[],
            $17::boolean[], $18::timestamptz[], $19::timestamptz[], $20::timestamptz[], $21::uuid[]) AS t (id, organization_id, customer_id, wallet_id,
            transaction_type, status, transaction_status, source, amount_cents, credit_amount, remaining_amount_cents, priority, name, metadata,
            invoice_id, voided_invoice_id, invoice_requires_successful_payment, settled_at, expiration_at, created_at, hold_id)
        """;

    // A purchase changes status once (pending → settled or failed), under the customer lock.
    private const string StatusSql = """
        UPDATE wallet_transactions t SET status = c.status, remaining_amount_cents = c.remaining, settled_at = c.settled_at,
            failed_at = c.failed_at, updated_at = $6
        FROM unnest($1::uuid[], $2::text[], $3::bigint[], $4::timestamptz[], $5::timestamptz[]) AS c (id, status, remaining, settled_at, failed_at)
        WHERE t.id = c.id
        """;

    // Relative, as for wallets: the CHECK (remaining >= 0) refuses a grant overdrawn by anything this batch did not see.
    private const string TakeSql = """
        UPDATE wallet_transactions t SET remaining_amount_cents = t.remaining_amount_cents - c.cents, updated_at = $3
        FROM unnest($1::uuid[], $2::bigint[]) AS c (id, cents) WHERE t.id = c.id
        """;

    // After the voids of a wallet's due expiries (last in the batch, so it sees every row change): its next expiry is the
    // soonest of its open grants, read by the expiring index. Under the customer lock; checked at commit (0022).
    private const string NextExpirySql = """
        UPDATE wallets w SET next_expiration_at = (SELECT min(t.expiration_at) FROM wallet_transactions t
            WHERE t.wallet_id = w.id AND t.expiration_at IS NOT NULL AND t.transaction_type = 'inbound' AND t.status = 'settled'
              AND t.remaining_amount_cents > 0)
        WHERE w.id = ANY($1)
        """;

    private const string ConsumptionsSql = """
        INSERT INTO wallet_transaction_consumptions
            (id, organization_id, wallet_id, inbound_wallet_transaction_id, outbound_wallet_transaction_id, consumed_amount_cents, created_at)
        SELECT c.id, c.organization_id, c.wallet_id, c.inbound, c.outbound, c.cents, $7
        FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::uuid[], $6::bigint[]) AS c (id, organization_id, wallet_id, inbound, outbound, cents)
        """;

    /// <summary>
    /// The statements writing every row change, in an order the immediate foreign keys accept (rows before the
    /// consumptions that join them); the row changes are then cleared (the webhooks wait for <see cref="Outbox"/>).
    /// </summary>
    public List<NpgsqlBatchCommand> TakeCommands(DateTimeOffset now)
    {
        var commands = Commands(now).ToList();
        _inserts.Clear(); _insertRemaining.Clear(); _taken.Clear(); _statusChanges.Clear(); _consumptions.Clear(); _wallets.Clear(); _alerted.Clear();
        _expiring.Clear(); _expired.Clear();
        _newHolds.Clear(); _endedHolds.Clear(); _heldGrants.Clear(); _heldWallets.Clear();
        return commands;
    }

    /// <summary>
    /// The outbox rows of the webhooks some endpoint subscribes to (nothing is serialized for the others), or null;
    /// the webhooks are then cleared. Serialized now, so each object is as the unit of work left it.
    /// </summary>
    public NpgsqlBatchCommand? TakeOutbox(DateTimeOffset now, WebhookSubscriptions subscriptions)
    {
        var messages = _webhooks.Where(w => subscriptions.Wants(w.OrganizationId, w.Type)).Select(w => w.Message()).ToList();
        _webhooks.Clear();
        return messages.Count > 0 ? WebhookOutbox.Command(messages, now) : null;
    }

    // Relative, as for balances; the CHECKs (held <= remaining, held <= balance) refuse holding what is not there.
    private const string HeldGrantsSql = """
        UPDATE wallet_transactions t SET held_cents = t.held_cents + c.cents, updated_at = $3 FROM unnest($1::uuid[], $2::bigint[]) AS c (id, cents) WHERE t.id = c.id
        """;

    // The wallet's updated_at moves too: what it may spend changed (threshold top-ups look for changed wallets).
    private const string HeldWalletsSql = """
        UPDATE wallets w SET held_cents = w.held_cents + c.cents, updated_at = $3 FROM unnest($1::uuid[], $2::bigint[]) AS c (id, cents) WHERE w.id = c.id
        """;

    private const string NewHoldsSql = """
        INSERT INTO holds (id, organization_id, customer_id, wallet_id, external_id, status, credits, amount_cents, expires_at, metadata,
            created_at, updated_at)
        SELECT h.*, h.created_at FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::text[], $6::text[], $7::numeric[], $8::bigint[],
            $9::timestamptz[], $10::jsonb[], $11::timestamptz[])
            AS h (id, organization_id, customer_id, wallet_id, external_id, status, credits, amount_cents, expires_at, metadata, created_at)
        """;

    private const string ReservationsSql = """
        INSERT INTO hold_reservations (hold_id, inbound_wallet_transaction_id, wallet_id, organization_id, position, cents)
        SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::integer[], $6::bigint[])
        """;

    // A hold ends once (active → captured, released or expired), decided under the customer lock.
    private const string EndedHoldsSql = """
        UPDATE holds h SET status = e.status, captured_credits = e.captured_credits, captured_amount_cents = e.captured_cents,
            wallet_transaction_id = e.transaction, captured_at = e.captured_at, released_at = e.released_at, updated_at = $8
        FROM unnest($1::uuid[], $2::text[], $3::numeric[], $4::bigint[], $5::uuid[], $6::timestamptz[], $7::timestamptz[])
            AS e (id, status, captured_credits, captured_cents, transaction, captured_at, released_at)
        WHERE h.id = e.id
        """;

    /// <summary>
    /// What holds reserve moves before the balances when it goes down and after them when it goes up, so the
    /// immediate CHECKs (held within remaining, within balance) hold after every statement, not only at the end.
    /// </summary>
    private IEnumerable<NpgsqlBatchCommand> HeldCommands(bool freed, DateTimeOffset now)
    {
        foreach (var (sql, deltas) in new[] { (HeldGrantsSql, _heldGrants), (HeldWalletsSql, _heldWallets) })
        {
            var moves = deltas.Where(d => freed ? d.Value < 0 : d.Value > 0).ToList();
            if (moves.Count > 0) yield return Command(sql, moves.Select(m => m.Key).ToArray(), moves.Select(m => m.Value).ToArray(), now);
        }
    }

    private IEnumerable<NpgsqlBatchCommand> Commands(DateTimeOffset now)
    {
        foreach (var command in HeldCommands(freed: true, now)) yield return command;
        if (_wallets.Count > 0)
        {
            var wallets = _wallets.ToList();
            var at = EffectiveTimes(now);
            yield return Command(WalletsSql, wallets.Select(w => w.Key).ToArray(), wallets.Select(w => w.Value.Balance).ToArray(),
                wallets.Select(w => w.Value.Consumed).ToArray(), now, wallets.Select(w => at.GetValueOrDefault(w.Key, now)).ToArray(),
                wallets.Select(w => _expiring.TryGetValue(w.Key, out var next) ? next : (DateTimeOffset?)null).ToArray());
        }
        // A balance change that leaves the wallet's alert band evaluates its balance alerts in its own batch.
        if (_alerted.Count > 0)
        {
            _evaluated.UnionWith(_alerted);
            var alerted = _alerted.ToArray();
            yield return AlertEvaluation.BalanceCommand(alerted, alerted.Select(id => _wallets[id].Balance).ToArray(), now);
        }
        if (_inserts.Count > 0)
        {
            var rows = _inserts;
            yield return Command(InsertSql, rows.Select(t => t.Id).ToArray(), rows.Select(t => t.OrganizationId).ToArray(),
                rows.Select(t => t.CustomerId).ToArray(), rows.Select(t => t.WalletId).ToArray(), rows.Select(t => t.TransactionType).ToArray(),
                rows.Select(t => t.Status).ToArray(), rows.Select(t => t.TransactionStatus).ToArray(), rows.Select(t => t.Source).ToArray(),
                rows.Select(t => t.AmountCents).ToArray(), rows.Select(t => t.CreditAmount).ToArray(),
                rows.Select(t => _insertRemaining.TryGetValue(t.Id, out var left) ? left : t.RemainingAmountCents).ToArray(),
                rows.Select(t => t.Priority).ToArray(), rows.Select(t => t.Name).ToArray(),
                new NpgsqlParameter { Value = rows.Select(t => JsonColumn.Serialize(t.Metadata)).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Jsonb },
                rows.Select(t => t.InvoiceId).ToArray(), rows.Select(t => t.VoidedInvoiceId).ToArray(),
                rows.Select(t => t.InvoiceRequiresSuccessfulPayment).ToArray(), rows.Select(t => t.SettledAt).ToArray(),
                rows.Select(t => t.ExpirationAt).ToArray(), rows.Select(t => t.CreatedAt).ToArray(), rows.Select(t => t.HoldId).ToArray());
        }
        if (_statusChanges.Count > 0)
        {
            var rows = _statusChanges;
            yield return Command(StatusSql, rows.Select(t => t.Id).ToArray(), rows.Select(t => t.Status).ToArray(),
                rows.Select(t => t.RemainingAmountCents).ToArray(), rows.Select(t => t.SettledAt).ToArray(), rows.Select(t => t.FailedAt).ToArray(), now);
        }
        if (_taken.Count > 0)
            yield return Command(TakeSql, _taken.Keys.ToArray(), _taken.Values.ToArray(), now);
        if (_consumptions.Count > 0)
        {
            var links = _consumptions;
            yield return Command(ConsumptionsSql, links.Select(c => c.Id).ToArray(), links.Select(c => c.OrganizationId).ToArray(),
                links.Select(c => c.WalletId).ToArray(), links.Select(c => c.Inbound).ToArray(), links.Select(c => c.Outbound).ToArray(),
                links.Select(c => c.Cents).ToArray(), now);
        }
        if (_newHolds.Count > 0)
        {
            var holds = _newHolds.ConvertAll(n => n.Hold);
            yield return Command(NewHoldsSql, holds.Select(h => h.Id).ToArray(), holds.Select(h => h.OrganizationId).ToArray(),
                holds.Select(h => h.CustomerId).ToArray(), holds.Select(h => h.WalletId).ToArray(), holds.Select(h => h.ExternalId).ToArray(),
                holds.Select(h => h.Status).ToArray(), holds.Select(h => h.Credits).ToArray(), holds.Select(h => h.AmountCents).ToArray(),
                holds.Select(h => h.ExpiresAt).ToArray(),
                new NpgsqlParameter { Value = holds.Select(h => h.Metadata is null ? null : JsonColumn.Serialize(h.Metadata)).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Jsonb },
                holds.Select(h => h.CreatedAt).ToArray());
            var parts = _newHolds.SelectMany(n => n.Reservations.Select((r, i) => (n.Hold, Reservation: r, Position: i))).ToList();
            yield return Command(ReservationsSql, parts.Select(p => p.Hold.Id).ToArray(), parts.Select(p => p.Reservation.GrantId).ToArray(),
                parts.Select(p => p.Hold.WalletId).ToArray(), parts.Select(p => p.Hold.OrganizationId).ToArray(), parts.Select(p => p.Position).ToArray(),
                parts.Select(p => p.Reservation.Cents).ToArray());
        }
        if (_endedHolds.Count > 0)
        {
            var holds = _endedHolds;
            yield return Command(EndedHoldsSql, holds.Select(h => h.Id).ToArray(), holds.Select(h => h.Status).ToArray(),
                holds.Select(h => h.CapturedCredits).ToArray(), holds.Select(h => h.CapturedAmountCents).ToArray(),
                holds.Select(h => h.WalletTransactionId).ToArray(), holds.Select(h => h.CapturedAt).ToArray(), holds.Select(h => h.ReleasedAt).ToArray(), now);
        }
        foreach (var command in HeldCommands(freed: false, now)) yield return command;
        if (_expired.Count > 0) yield return Command(NextExpirySql, _expired.ToArray());
    }

    /// <summary>When each wallet's move took effect: the latest time of the rows behind it (a purchase's settlement), so history agrees with the ledger.</summary>
    private Dictionary<Guid, DateTimeOffset> EffectiveTimes(DateTimeOffset now)
    {
        var at = new Dictionary<Guid, DateTimeOffset>();
        foreach (var (wallet, time) in _inserts.Select(t => (t.WalletId, t.SettledAt ?? t.CreatedAt))
                     .Concat(_statusChanges.Select(t => (t.WalletId, t.SettledAt ?? t.FailedAt ?? now))))
            at[wallet] = at.TryGetValue(wallet, out var seen) && seen > time ? seen : time;
        return at;
    }

    internal static NpgsqlBatchCommand Command(string sql, params object?[] values)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var value in values) command.Parameters.Add(value as NpgsqlParameter ?? new NpgsqlParameter { Value = value });
        return command;
    }
}
