-- The ledger's write path, made cheap without giving up a rule.

-- 1. One foreign key per ledger row instead of three. A wallet transaction names its wallet, and through the same
--    key its customer and organization, so the three can never disagree. Checking it locks only the wallet row,
--    which the operation updates anyway; the old single-column keys also locked the one organization row shared by
--    every concurrent operation (a multixact per transaction).
ALTER TABLE wallets ADD CONSTRAINT wallets_owner UNIQUE (id, customer_id, organization_id);
ALTER TABLE wallet_transactions
    ADD CONSTRAINT wallet_transactions_wallet_owner FOREIGN KEY (wallet_id, customer_id, organization_id)
        REFERENCES wallets (id, customer_id, organization_id),
    DROP CONSTRAINT wallet_transactions_organization_id_fkey,
    DROP CONSTRAINT wallet_transactions_customer_id_fkey,
    DROP CONSTRAINT wallet_transactions_wallet_id_fkey;

-- Consumption rows join an inbound to an outbound of one wallet and one organization.
ALTER TABLE wallet_transactions ADD CONSTRAINT wallet_transactions_ledger_side UNIQUE (id, wallet_id, transaction_type, organization_id);
ALTER TABLE wallet_transaction_consumptions
    ADD CONSTRAINT consumptions_inbound_side FOREIGN KEY (inbound_wallet_transaction_id, wallet_id, inbound_type, organization_id)
        REFERENCES wallet_transactions (id, wallet_id, transaction_type, organization_id),
    ADD CONSTRAINT consumptions_outbound_side FOREIGN KEY (outbound_wallet_transaction_id, wallet_id, outbound_type, organization_id)
        REFERENCES wallet_transactions (id, wallet_id, transaction_type, organization_id),
    DROP CONSTRAINT wallet_transaction_consumptio_inbound_wallet_transaction_i_fkey,
    DROP CONSTRAINT wallet_transaction_consumptio_outbound_wallet_transaction__fkey,
    DROP CONSTRAINT wallet_transaction_consumptions_organization_id_fkey;
ALTER TABLE wallet_transactions DROP CONSTRAINT wallet_transactions_id_wallet_id_transaction_type_key;

-- 2. Debits update a grant's remaining amount in place (a HOT update): no index may mention that column, not even
--    in its predicate. The consumption order is indexed over all settled grants; spent ones are skipped by the query.
DROP INDEX wallet_transactions_available;
CREATE INDEX wallet_transactions_grants ON wallet_transactions
    (wallet_id, priority, (transaction_status <> 'granted'), created_at, id) WHERE transaction_type = 'inbound' AND status = 'settled';
-- Room on each page for the new row versions of in-place updates.
ALTER TABLE wallet_transactions SET (fillfactor = 90);
ALTER TABLE wallets SET (fillfactor = 70);

-- The commit-time balance check reads the same index.
CREATE OR REPLACE FUNCTION check_wallet_balance(wallet uuid) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    held   bigint;
    stored bigint;
BEGIN
    SELECT COALESCE(sum(remaining_amount_cents), 0) INTO held
      FROM wallet_transactions WHERE wallet_id = wallet AND transaction_type = 'inbound' AND status = 'settled';
    SELECT balance_cents INTO stored FROM wallets WHERE id = wallet;
    IF held <> stored THEN
        RAISE EXCEPTION 'wallet % balance % differs from its grants %', wallet, stored, held
            USING ERRCODE = 'check_violation', CONSTRAINT = 'wallet_balance_matches_grants';
    END IF;
END $$;

-- Purchases still waiting for payment, counted when a top-up checks its room.
CREATE INDEX wallet_transactions_pending ON wallet_transactions (wallet_id) WHERE status = 'pending';

-- One balance check per wallet and transaction, not one per grant as well: a wallet written by this transaction is
-- checked by its own trigger (which now fires on insert and on any update), so a grant of it need not repeat the
-- check. Only a grant whose wallet this transaction did not write is checked on the grant's behalf.
DROP TRIGGER wallet_balance_matches_grants ON wallets;
CREATE CONSTRAINT TRIGGER wallet_balance_matches_grants AFTER INSERT OR UPDATE ON wallets
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION check_wallet_balance_of_wallet();

CREATE OR REPLACE FUNCTION check_wallet_balance_of_grant() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM wallets WHERE id = NEW.wallet_id AND xmin = pg_current_xact_id()::xid) THEN
        PERFORM check_wallet_balance(NEW.wallet_id);
    END IF;
    RETURN NULL;
END $$;
