-- Balances at any instant: every change of a wallet's balance or consumed amount appends the values it left, written
-- by the ledger's one writer in the statement that moves the balance. A read at an instant is one index lookup.

-- The wallet's count of balance changes: the sequence number of its latest history row (0: no change yet).
ALTER TABLE wallets ADD COLUMN balance_seq bigint NOT NULL DEFAULT 0 CHECK (balance_seq >= 0);

CREATE TABLE wallet_balance_changes (
    wallet_id             uuid NOT NULL,
    customer_id           uuid NOT NULL,
    organization_id       uuid NOT NULL,
    seq                   bigint NOT NULL CHECK (seq > 0),
    -- When the change took effect (a purchase: when it settled); never before the wallet's previous change.
    at                    timestamptz NOT NULL,
    balance_cents         bigint NOT NULL CHECK (balance_cents >= 0),
    consumed_amount_cents bigint NOT NULL CHECK (consumed_amount_cents >= 0),
    PRIMARY KEY (wallet_id, seq),
    FOREIGN KEY (wallet_id, customer_id, organization_id) REFERENCES wallets (id, customer_id, organization_id)
);
-- The balance at an instant: the latest change at or before it.
CREATE INDEX wallet_balance_changes_at ON wallet_balance_changes (wallet_id, at DESC, seq DESC)
    INCLUDE (balance_cents, consumed_amount_cents);

-- The history is append-only: a past balance, once written, is never rewritten.
CREATE FUNCTION refuse_balance_history_edit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'wallet balance history is append-only' USING ERRCODE = 'check_violation', CONSTRAINT = 'balance_history_append_only';
END $$;
CREATE TRIGGER balance_history_append_only BEFORE UPDATE OR DELETE ON wallet_balance_changes
    FOR EACH ROW EXECUTE FUNCTION refuse_balance_history_edit();

-- Checked at commit with the balance itself: a wallet's latest history row is its balance and consumed amount now,
-- so a balance moved without its history row (or a history row out of step) is refused. One primary-key lookup.
CREATE OR REPLACE FUNCTION check_wallet_balance(wallet uuid) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    held     bigint;
    stored   bigint;
    consumed bigint;
    seq_now  bigint;
    matches  boolean;
BEGIN
    SELECT COALESCE(sum(remaining_amount_cents), 0) INTO held
      FROM wallet_transactions WHERE wallet_id = wallet AND transaction_type = 'inbound' AND status = 'settled';
    SELECT balance_cents, consumed_amount_cents, balance_seq INTO stored, consumed, seq_now FROM wallets WHERE id = wallet;
    IF held <> stored THEN
        RAISE EXCEPTION 'wallet % balance % differs from its grants %', wallet, stored, held
            USING ERRCODE = 'check_violation', CONSTRAINT = 'wallet_balance_matches_grants';
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

-- Wallets that moved before this file: their history replayed from the ledger (a purchase from when it settled, a
-- debit from when it was written, a regrant giving back consumption), one row per instant.
WITH moves AS (
    SELECT wallet_id, settled_at AS at, amount_cents AS balance,
           CASE WHEN voided_invoice_id IS NOT NULL THEN -amount_cents ELSE 0 END AS consumed
      FROM wallet_transactions WHERE transaction_type = 'inbound' AND status = 'settled'
    UNION ALL
    SELECT wallet_id, created_at, -amount_cents, amount_cents FROM wallet_transactions WHERE transaction_type = 'outbound'
), instants AS (
    SELECT wallet_id, at, sum(balance) AS balance, sum(consumed) AS consumed FROM moves GROUP BY wallet_id, at
), running AS (
    SELECT wallet_id, at, row_number() OVER w AS seq, sum(balance) OVER w AS balance, GREATEST(0, sum(consumed) OVER w) AS consumed
      FROM instants WINDOW w AS (PARTITION BY wallet_id ORDER BY at)
)
INSERT INTO wallet_balance_changes (wallet_id, customer_id, organization_id, seq, at, balance_cents, consumed_amount_cents)
SELECT r.wallet_id, w.customer_id, w.organization_id, r.seq, r.at, GREATEST(0, r.balance), r.consumed
  FROM running r JOIN wallets w ON w.id = r.wallet_id;

-- The latest row of each backfilled wallet is its balance of record, so the commit check holds from the start.
ALTER TABLE wallet_balance_changes DISABLE TRIGGER balance_history_append_only;
UPDATE wallet_balance_changes h SET balance_cents = w.balance_cents, consumed_amount_cents = w.consumed_amount_cents
  FROM wallets w WHERE w.id = h.wallet_id AND h.seq = (SELECT max(seq) FROM wallet_balance_changes l WHERE l.wallet_id = w.id);
ALTER TABLE wallet_balance_changes ENABLE TRIGGER balance_history_append_only;
UPDATE wallets w SET balance_seq = (SELECT max(seq) FROM wallet_balance_changes h WHERE h.wallet_id = w.id)
 WHERE EXISTS (SELECT 1 FROM wallet_balance_changes h WHERE h.wallet_id = w.id);
