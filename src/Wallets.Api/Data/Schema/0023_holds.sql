-- Holds (two-phase debits): a hold reserves credits of a wallet from specific grants; a capture turns part of them into
-- one outbound transaction funded by those grants and releases the rest; a release or the hold's expiry frees them.
-- What a grant or a wallet has reserved is a column beside what it holds, and the database refuses reserving more
-- than is there, as it refuses an overdraft: everything else may spend only `remaining - held`.

ALTER TABLE wallets ADD COLUMN held_cents bigint NOT NULL DEFAULT 0;
ALTER TABLE wallets ADD CONSTRAINT wallets_held_within_balance CHECK (held_cents >= 0 AND held_cents <= balance_cents);

-- Only a settled grant (one with a remaining amount) can be held, and never beyond what it still holds.
ALTER TABLE wallet_transactions ADD COLUMN held_cents bigint NOT NULL DEFAULT 0;
ALTER TABLE wallet_transactions ADD CONSTRAINT wallet_transactions_held_within_remaining
    CHECK (held_cents >= 0 AND held_cents <= COALESCE(remaining_amount_cents, 0));

CREATE TABLE holds (
    id                     uuid PRIMARY KEY,
    organization_id        uuid NOT NULL,
    customer_id            uuid NOT NULL,
    wallet_id              uuid NOT NULL,
    external_id            text NOT NULL CHECK (length(external_id) BETWEEN 1 AND 255),
    status                 text NOT NULL CHECK (status IN ('active', 'captured', 'released', 'expired')),
    -- What was reserved: credits as asked and their money, never zero.
    credits                numeric(30,5) NOT NULL CHECK (credits > 0),
    amount_cents           bigint NOT NULL CHECK (amount_cents > 0),
    captured_credits       numeric(30,5) CHECK (captured_credits >= 0),
    captured_amount_cents  bigint CHECK (captured_amount_cents BETWEEN 0 AND amount_cents),
    -- The capture's outbound transaction (none for a capture of 0).
    wallet_transaction_id  uuid REFERENCES wallet_transactions (id),
    expires_at             timestamptz,
    metadata               jsonb,
    captured_at            timestamptz,
    released_at            timestamptz,
    created_at             timestamptz NOT NULL,
    updated_at             timestamptz NOT NULL,
    FOREIGN KEY (wallet_id, customer_id, organization_id) REFERENCES wallets (id, customer_id, organization_id),
    -- A retried create finds the hold it made.
    CONSTRAINT holds_external_id_per_wallet UNIQUE (wallet_id, external_id),
    -- Captured: its amounts and time; an ended hold has a release time (what was not captured was freed then).
    CHECK ((status = 'captured') = (captured_at IS NOT NULL AND captured_amount_cents IS NOT NULL AND captured_credits IS NOT NULL)),
    CHECK ((status = 'active') = (released_at IS NULL)),
    CHECK (wallet_transaction_id IS NULL OR captured_amount_cents > 0)
);
CREATE INDEX holds_listing ON holds (wallet_id, created_at DESC, id);
-- Active holds by wallet and expiry: the expiry job, the check at commit and the expiry of due holds by any write.
CREATE INDEX holds_active ON holds (wallet_id, expires_at) WHERE status = 'active';
CREATE INDEX holds_due ON holds (expires_at) WHERE status = 'active' AND expires_at IS NOT NULL;

-- Which grants a hold reserved, and how much of each, in the order they are drawn by a capture.
CREATE TABLE hold_reservations (
    hold_id                        uuid NOT NULL REFERENCES holds (id),
    inbound_wallet_transaction_id  uuid NOT NULL,
    wallet_id                      uuid NOT NULL,
    organization_id                uuid NOT NULL,
    inbound_type                   text NOT NULL DEFAULT 'inbound' CHECK (inbound_type = 'inbound'),
    position                       integer NOT NULL CHECK (position >= 0),
    cents                          bigint NOT NULL CHECK (cents > 0),
    PRIMARY KEY (hold_id, inbound_wallet_transaction_id),
    UNIQUE (hold_id, position),
    FOREIGN KEY (inbound_wallet_transaction_id, wallet_id, inbound_type, organization_id)
        REFERENCES wallet_transactions (id, wallet_id, transaction_type, organization_id)
);

-- A hold's amount is what its reservations add up to; a hold written without its wallet is checked on its behalf.
CREATE FUNCTION check_hold() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.amount_cents <> (SELECT COALESCE(sum(cents), 0) FROM hold_reservations WHERE hold_id = NEW.id) THEN
        RAISE EXCEPTION 'hold % of % is not its reservations', NEW.id, NEW.amount_cents
            USING ERRCODE = 'check_violation', CONSTRAINT = 'hold_matches_reservations';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM wallets WHERE id = NEW.wallet_id AND xmin = pg_current_xact_id()::xid) THEN
        PERFORM check_wallet_balance(NEW.wallet_id);
    END IF;
    RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER hold_matches_reservations AFTER INSERT OR UPDATE ON holds
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION check_hold();

-- A capture is an `invoiced` outbound (credits consumed for usage, as Lago's clients know the kind) that names its hold
-- instead of an invoice; one per hold.
ALTER TABLE wallet_transactions ADD COLUMN hold_id uuid REFERENCES holds (id);
ALTER TABLE wallet_transactions DROP CONSTRAINT wallet_transactions_invoiced_names_invoice;
ALTER TABLE wallet_transactions ADD CONSTRAINT wallet_transactions_invoiced_names_invoice_or_hold
    CHECK (transaction_status <> 'invoiced' OR invoice_id IS NOT NULL OR hold_id IS NOT NULL);
ALTER TABLE wallet_transactions ADD CONSTRAINT wallet_transactions_capture_is_invoiced
    CHECK (hold_id IS NULL OR (transaction_status = 'invoiced' AND invoice_id IS NULL));
CREATE UNIQUE INDEX wallet_transactions_one_capture_per_hold ON wallet_transactions (hold_id) WHERE hold_id IS NOT NULL;
