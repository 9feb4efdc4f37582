-- Per-grant expiry: at a grant's expiration_at (0020), what it still holds is voided, traced to it, and no debit from
-- that instant on is funded by it.

-- The soonest expiration_at of the wallet's open grants (settled inbound rows still holding credits), or an earlier
-- instant: a lower bound kept by the ledger's one writer. Read with the wallet, it lets a change to a wallet with
-- nothing due skip expiry altogether, and the expiry job find the due wallets by index. A grant spent before it expires
-- leaves it early; the next touch of the wallet (or the job) moves it on.
ALTER TABLE wallets ADD COLUMN next_expiration_at timestamptz;
CREATE INDEX wallets_next_expiration ON wallets (next_expiration_at) WHERE next_expiration_at IS NOT NULL;

-- A wallet's expiring grants in expiry order, to move next_expiration_at on. It does not name remaining_amount_cents,
-- so debits stay in-place (HOT) updates (0006).
CREATE INDEX wallet_transactions_expiring ON wallet_transactions (wallet_id, expiration_at)
    WHERE expiration_at IS NOT NULL AND transaction_type = 'inbound' AND status = 'settled';

-- How long each top-up of a recurring rule lasts (null: its credits never expire).
ALTER TABLE recurring_transaction_rules ADD COLUMN transaction_expiration_days integer
    CHECK (transaction_expiration_days BETWEEN 1 AND 3650);

-- The commit-time check of a wallet (0019) also refuses a next_expiration_at later than one of its open grants' expiry,
-- which would hide that grant from the expiry job. Read in the same scan as the balance.
CREATE OR REPLACE FUNCTION check_wallet_balance(wallet uuid) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    held     bigint;
    soonest  timestamptz;
    stored   bigint;
    consumed bigint;
    seq_now  bigint;
    next_at  timestamptz;
    matches  boolean;
BEGIN
    SELECT COALESCE(sum(remaining_amount_cents), 0), min(expiration_at) FILTER (WHERE remaining_amount_cents > 0) INTO held, soonest
      FROM wallet_transactions WHERE wallet_id = wallet AND transaction_type = 'inbound' AND status = 'settled';
    SELECT balance_cents, consumed_amount_cents, balance_seq, next_expiration_at INTO stored, consumed, seq_now, next_at
      FROM wallets WHERE id = wallet;
    IF held <> stored THEN
        RAISE EXCEPTION 'wallet % balance % differs from its grants %', wallet, stored, held
            USING ERRCODE = 'check_violation', CONSTRAINT = 'wallet_balance_matches_grants';
    END IF;
    IF soonest IS NOT NULL AND (next_at IS NULL OR next_at > soonest) THEN
        RAISE EXCEPTION 'wallet % next expiry % is after its grant expiring at %', wallet, next_at, soonest
            USING ERRCODE = 'check_violation', CONSTRAINT = 'wallet_next_expiration_bounds_grants';
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

-- Grants that carry an expiry already (none before this file, but any later backfill of 0020's column).
UPDATE wallets w SET next_expiration_at = g.soonest
  FROM (SELECT wallet_id, min(expiration_at) AS soonest FROM wallet_transactions
         WHERE transaction_type = 'inbound' AND status = 'settled' AND remaining_amount_cents > 0 AND expiration_at IS NOT NULL
         GROUP BY wallet_id) g
 WHERE w.id = g.wallet_id;
