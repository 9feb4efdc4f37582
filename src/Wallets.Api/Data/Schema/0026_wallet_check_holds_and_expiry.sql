-- The commit-time check of a wallet (0019) with the rules of per-grant expiry and of holds: next_expiration_at is never
-- later than an open grant's expiry (0022), which would hide that grant from the expiry job; and what the wallet
-- holds is what its grants hold and what its active holds reserved (0023), so no reservation is lost or counted twice.
-- All read in the same scans as the balance.
CREATE OR REPLACE FUNCTION check_wallet_balance(wallet uuid) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    held          bigint;
    grants_held   bigint;
    soonest       timestamptz;
    reserved      bigint;
    stored        bigint;
    stored_held   bigint;
    consumed      bigint;
    seq_now       bigint;
    next_at       timestamptz;
    matches       boolean;
BEGIN
    SELECT COALESCE(sum(remaining_amount_cents), 0), COALESCE(sum(held_cents), 0), min(expiration_at) FILTER (WHERE remaining_amount_cents > 0)
      INTO held, grants_held, soonest
      FROM wallet_transactions WHERE wallet_id = wallet AND transaction_type = 'inbound' AND status = 'settled';
    SELECT balance_cents, consumed_amount_cents, balance_seq, held_cents, next_expiration_at INTO stored, consumed, seq_now, stored_held, next_at
      FROM wallets WHERE id = wallet;
    IF held <> stored THEN
        RAISE EXCEPTION 'wallet % balance % differs from its grants %', wallet, stored, held
            USING ERRCODE = 'check_violation', CONSTRAINT = 'wallet_balance_matches_grants';
    END IF;
    IF soonest IS NOT NULL AND (next_at IS NULL OR next_at > soonest) THEN
        RAISE EXCEPTION 'wallet % next expiry % is after its grant expiring at %', wallet, next_at, soonest
            USING ERRCODE = 'check_violation', CONSTRAINT = 'wallet_next_expiration_bounds_grants';
    END IF;
    SELECT COALESCE(sum(r.cents), 0) INTO reserved
      FROM holds h JOIN hold_reservations r ON r.hold_id = h.id WHERE h.wallet_id = wallet AND h.status = 'active';
    IF grants_held <> stored_held OR reserved <> stored_held THEN
        RAISE EXCEPTION 'wallet % holds % but its grants hold % and its active holds reserved %', wallet, stored_held, grants_held, reserved
            USING ERRCODE = 'check_violation', CONSTRAINT = 'wallet_held_matches_holds';
    END IF;
    IF seq_now = 0 THEN
        matches := stored = 0 AND consumed = 0;
    ELSE
        SELECT h.balance_cents = stored AND h.consumed_amount_cents = consumed
               AND NOT EXISTS (SELECT 1 FROM wallet_balance_changes l WHERE l.wallet_id = wallet AND l.seq > seq_now)
          INTO matches FROM wallet_balance_changes h WHERE h.wallet_id = wallet AND h.seq = seq_now;
    END IF;
    IF matches IS NOT TRUE THEN
        RAISE EXCEPTION 'wallet % balance % is not its latest history row', wallet, stored
            USING ERRCODE = 'check_violation', CONSTRAINT = 'wallet_balance_matches_history';
    END IF;
END $$;
