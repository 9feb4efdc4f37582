-- Per-grant expiry: the instant an inbound transaction's remaining credits expire (null: never). Only inbound rows
-- (top-ups and grants) carry one. The ledger's consumption order, the expiry job and holds read it.
ALTER TABLE wallet_transactions ADD COLUMN expiration_at timestamptz;
ALTER TABLE wallet_transactions ADD CONSTRAINT wallet_transactions_expiration_inbound
    CHECK (expiration_at IS NULL OR transaction_type = 'inbound');
