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

-- Grants that carry an expiry already (none before this file, but any later backfill of 0020's column).
UPDATE wallets w SET next_expiration_at = g.soonest
  FROM (SELECT wallet_id, min(expiration_at) AS soonest FROM wallet_transactions
         WHERE transaction_type = 'inbound' AND status = 'settled' AND remaining_amount_cents > 0 AND expiration_at IS NOT NULL
         GROUP BY wallet_id) g
 WHERE w.id = g.wallet_id;
