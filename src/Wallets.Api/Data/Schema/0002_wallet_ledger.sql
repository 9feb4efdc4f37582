-- Wallets and their ledger. Every ledger rule below is enforced by the database itself, so no code path
-- (or manual fix) can overdraw, double-consume or let a balance drift from the grants behind it.

CREATE TABLE wallets (
    id                                  uuid PRIMARY KEY,
    organization_id                     uuid NOT NULL REFERENCES organizations (id),
    customer_id                         uuid NOT NULL REFERENCES customers (id),
    status                              text NOT NULL CHECK (status IN ('active', 'terminated')),
    name                                text,
    code                                text NOT NULL,
    priority                            integer NOT NULL DEFAULT 50 CHECK (priority BETWEEN 1 AND 50),
    currency                            text NOT NULL,
    rate_amount                         numeric(30,5) NOT NULL CHECK (rate_amount > 0),
    -- The one balance of record: the sum of what settled grants still hold (checked at commit below).
    balance_cents                       bigint NOT NULL DEFAULT 0 CHECK (balance_cents >= 0),
    consumed_amount_cents               bigint NOT NULL DEFAULT 0 CHECK (consumed_amount_cents >= 0),
    ongoing_usage_balance_cents         bigint NOT NULL DEFAULT 0,
    depleted_ongoing_balance            boolean NOT NULL DEFAULT false,
    invoice_requires_successful_payment boolean NOT NULL DEFAULT false,
    paid_top_up_min_amount_cents        bigint CHECK (paid_top_up_min_amount_cents > 0),
    paid_top_up_max_amount_cents        bigint CHECK (paid_top_up_max_amount_cents > 0),
    allowed_fee_types                   text[] NOT NULL DEFAULT '{}',
    billable_metric_codes               text[] NOT NULL DEFAULT '{}',
    metadata                            jsonb,
    expiration_at                       timestamptz,
    terminated_at                       timestamptz,
    last_balance_sync_at                timestamptz,
    last_consumed_credit_at             timestamptz,
    last_ongoing_balance_sync_at        timestamptz,
    created_at                          timestamptz NOT NULL,
    updated_at                          timestamptz NOT NULL,
    CHECK (paid_top_up_max_amount_cents >= paid_top_up_min_amount_cents),
    CHECK ((status = 'terminated') = (terminated_at IS NOT NULL))
);
-- A code names one active wallet of a customer; terminated wallets free their code.
CREATE UNIQUE INDEX wallets_active_code ON wallets (customer_id, code) WHERE status = 'active';
CREATE INDEX wallets_by_customer ON wallets (customer_id, created_at DESC, id);
CREATE INDEX wallets_listing ON wallets (organization_id, created_at DESC, id);
CREATE INDEX wallets_expiring ON wallets (expiration_at) WHERE status = 'active' AND expiration_at IS NOT NULL;

CREATE TABLE invoices (
    id                                      uuid PRIMARY KEY,
    organization_id                         uuid NOT NULL REFERENCES organizations (id),
    customer_id                             uuid NOT NULL REFERENCES customers (id),
    sequential_id                           bigint NOT NULL,
    number                                  text NOT NULL,
    invoice_type                            text NOT NULL CHECK (invoice_type IN
                                                ('subscription', 'add_on', 'credit', 'one_off', 'advance_charges', 'progressive_billing')),
    status                                  text NOT NULL CHECK (status IN ('draft', 'open', 'finalized', 'voided', 'failed', 'pending')),
    payment_status                          text NOT NULL CHECK (payment_status IN ('pending', 'succeeded', 'failed')),
    currency                                text NOT NULL,
    issuing_date                            date NOT NULL,
    payment_due_date                        date NOT NULL,
    net_payment_term                        integer NOT NULL DEFAULT 0,
    fees_amount_cents                       bigint NOT NULL DEFAULT 0,
    coupons_amount_cents                    bigint NOT NULL DEFAULT 0,
    credit_notes_amount_cents               bigint NOT NULL DEFAULT 0,
    taxes_amount_cents                      bigint NOT NULL DEFAULT 0,
    prepaid_credit_amount_cents             bigint NOT NULL DEFAULT 0 CHECK (prepaid_credit_amount_cents >= 0),
    prepaid_granted_credit_amount_cents     bigint,
    prepaid_purchased_credit_amount_cents   bigint,
    progressive_billing_credit_amount_cents bigint NOT NULL DEFAULT 0,
    total_amount_cents                      bigint NOT NULL DEFAULT 0 CHECK (total_amount_cents >= 0),
    metadata                                jsonb NOT NULL DEFAULT '[]',
    finalized_at                            timestamptz,
    voided_at                               timestamptz,
    created_at                              timestamptz NOT NULL,
    updated_at                              timestamptz NOT NULL
);
CREATE INDEX invoices_listing ON invoices (organization_id, created_at DESC, id);
CREATE INDEX invoices_by_customer ON invoices (customer_id, created_at DESC, id);

CREATE TABLE wallet_transactions (
    id                                  uuid PRIMARY KEY,
    organization_id                     uuid NOT NULL REFERENCES organizations (id),
    customer_id                         uuid NOT NULL REFERENCES customers (id),
    wallet_id                           uuid NOT NULL REFERENCES wallets (id),
    transaction_type                    text NOT NULL CHECK (transaction_type IN ('inbound', 'outbound')),
    status                              text NOT NULL CHECK (status IN ('pending', 'settled', 'failed')),
    transaction_status                  text NOT NULL CHECK (transaction_status IN ('purchased', 'granted', 'voided', 'invoiced')),
    source                              text NOT NULL DEFAULT 'manual' CHECK (source IN ('manual', 'interval', 'threshold')),
    amount_cents                        bigint NOT NULL CHECK (amount_cents > 0),
    credit_amount                       numeric(30,5) NOT NULL CHECK (credit_amount >= 0),
    -- What a settled grant still holds; only settled inbound rows have one, and it never leaves [0, amount].
    remaining_amount_cents              bigint CHECK (remaining_amount_cents BETWEEN 0 AND amount_cents),
    priority                            integer NOT NULL DEFAULT 50 CHECK (priority BETWEEN 1 AND 50),
    name                                varchar(255),
    metadata                            jsonb NOT NULL DEFAULT '[]',
    invoice_id                          uuid REFERENCES invoices (id),
    credit_note_id                      uuid,
    voided_invoice_id                   uuid REFERENCES invoices (id),
    invoice_requires_successful_payment boolean NOT NULL DEFAULT false,
    settled_at                          timestamptz,
    failed_at                           timestamptz,
    created_at                          timestamptz NOT NULL,
    updated_at                          timestamptz NOT NULL,
    -- Inbound rows add credits (purchased, granted); outbound rows take them (voided, invoiced) and are born settled.
    CHECK ((transaction_type = 'inbound') = (transaction_status IN ('purchased', 'granted'))),
    CHECK (transaction_type = 'inbound' OR status = 'settled'),
    CHECK ((transaction_type = 'inbound' AND status = 'settled') = (remaining_amount_cents IS NOT NULL)),
    CHECK ((status = 'settled') = (settled_at IS NOT NULL)),
    CHECK ((status = 'failed') = (failed_at IS NOT NULL)),
    -- Lets consumption rows prove, by foreign key, that they join an inbound to an outbound of one wallet.
    UNIQUE (id, wallet_id, transaction_type)
);
CREATE INDEX wallet_transactions_listing ON wallet_transactions (wallet_id, created_at DESC, id);
-- The consumption order (priority, granted first, oldest first), over grants that still hold something.
CREATE INDEX wallet_transactions_available ON wallet_transactions
    (wallet_id, priority, (transaction_status <> 'granted'), created_at, id) WHERE remaining_amount_cents > 0;
CREATE INDEX wallet_transactions_by_invoice ON wallet_transactions (invoice_id) WHERE invoice_id IS NOT NULL;

CREATE TABLE wallet_transaction_consumptions (
    id                              uuid PRIMARY KEY,
    organization_id                 uuid NOT NULL REFERENCES organizations (id),
    wallet_id                       uuid NOT NULL,
    inbound_wallet_transaction_id   uuid NOT NULL,
    outbound_wallet_transaction_id  uuid NOT NULL,
    inbound_type                    text NOT NULL DEFAULT 'inbound' CHECK (inbound_type = 'inbound'),
    outbound_type                   text NOT NULL DEFAULT 'outbound' CHECK (outbound_type = 'outbound'),
    consumed_amount_cents           bigint NOT NULL CHECK (consumed_amount_cents > 0),
    created_at                      timestamptz NOT NULL,
    FOREIGN KEY (inbound_wallet_transaction_id, wallet_id, inbound_type) REFERENCES wallet_transactions (id, wallet_id, transaction_type),
    FOREIGN KEY (outbound_wallet_transaction_id, wallet_id, outbound_type) REFERENCES wallet_transactions (id, wallet_id, transaction_type),
    -- At most one row per (grant, debit) pair.
    UNIQUE (inbound_wallet_transaction_id, outbound_wallet_transaction_id)
);
CREATE INDEX consumptions_of_inbound ON wallet_transaction_consumptions (inbound_wallet_transaction_id, created_at DESC, id);
CREATE INDEX fundings_of_outbound ON wallet_transaction_consumptions (outbound_wallet_transaction_id, created_at DESC, id);

CREATE TABLE fees (
    id                      uuid PRIMARY KEY,
    organization_id         uuid NOT NULL REFERENCES organizations (id),
    invoice_id              uuid NOT NULL REFERENCES invoices (id),
    fee_type                text NOT NULL CHECK (fee_type IN ('charge', 'add_on', 'subscription', 'credit', 'commitment', 'fixed_charge')),
    wallet_transaction_id   uuid REFERENCES wallet_transactions (id),
    invoice_display_name    text,
    units                   numeric(30,10) NOT NULL DEFAULT 0,
    unit_amount_cents       bigint NOT NULL DEFAULT 0,
    amount_cents            bigint NOT NULL,
    taxes_amount_cents      bigint NOT NULL DEFAULT 0,
    taxes_rate              numeric(10,5) NOT NULL DEFAULT 0,
    created_at              timestamptz NOT NULL,
    updated_at              timestamptz NOT NULL
);
CREATE INDEX fees_of_invoice ON fees (invoice_id);
-- A purchase is billed once.
CREATE UNIQUE INDEX fees_one_per_purchase ON fees (wallet_transaction_id) WHERE wallet_transaction_id IS NOT NULL;

-- Ledger checks run at commit, once the whole operation is written:
-- a wallet's balance equals what its settled grants still hold ...
CREATE FUNCTION check_wallet_balance(wallet uuid) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    held   bigint;
    stored bigint;
BEGIN
    SELECT COALESCE(sum(remaining_amount_cents), 0) INTO held
      FROM wallet_transactions WHERE wallet_id = wallet AND remaining_amount_cents > 0;
    SELECT balance_cents INTO stored FROM wallets WHERE id = wallet;
    IF held <> stored THEN
        RAISE EXCEPTION 'wallet % balance % differs from its grants %', wallet, stored, held
            USING ERRCODE = 'check_violation', CONSTRAINT = 'wallet_balance_matches_grants';
    END IF;
END $$;

CREATE FUNCTION check_wallet_balance_of_wallet() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM check_wallet_balance(NEW.id);
    RETURN NULL;
END $$;

CREATE FUNCTION check_wallet_balance_of_grant() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM check_wallet_balance(NEW.wallet_id);
    RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER wallet_balance_matches_grants AFTER UPDATE OF balance_cents ON wallets
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION check_wallet_balance_of_wallet();
CREATE CONSTRAINT TRIGGER grant_changes_match_wallet AFTER INSERT OR UPDATE OF remaining_amount_cents ON wallet_transactions
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.transaction_type = 'inbound') EXECUTE FUNCTION check_wallet_balance_of_grant();

-- ... and every debit is exactly covered by the grants that funded it.
CREATE FUNCTION check_outbound_funded() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    funded bigint;
BEGIN
    SELECT COALESCE(sum(consumed_amount_cents), 0) INTO funded
      FROM wallet_transaction_consumptions WHERE outbound_wallet_transaction_id = NEW.id;
    IF funded <> NEW.amount_cents THEN
        RAISE EXCEPTION 'outbound % of % is funded by %', NEW.id, NEW.amount_cents, funded
            USING ERRCODE = 'check_violation', CONSTRAINT = 'outbound_is_funded';
    END IF;
    RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER outbound_is_funded AFTER INSERT ON wallet_transactions
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.transaction_type = 'outbound') EXECUTE FUNCTION check_outbound_funded();

CREATE TABLE idempotency_keys (
    organization_id uuid NOT NULL REFERENCES organizations (id),
    key             text NOT NULL,
    request_hash    text NOT NULL,
    status_code     integer NOT NULL,
    response_body   text NOT NULL,
    created_at      timestamptz NOT NULL,
    PRIMARY KEY (organization_id, key)
);
CREATE INDEX idempotency_keys_age ON idempotency_keys (created_at);
