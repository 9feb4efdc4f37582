-- Invoicing: add-ons, subscription and one-off invoices, and the rules that make prepaid credits apply to an
-- invoice exactly once and come back exactly once when it is voided.

CREATE TABLE add_ons (
    id                      uuid PRIMARY KEY,
    organization_id         uuid NOT NULL REFERENCES organizations (id),
    name                    text NOT NULL CHECK (name <> ''),
    code                    text NOT NULL CHECK (code <> ''),
    invoice_display_name    text,
    description             text,
    amount_cents            bigint NOT NULL CHECK (amount_cents >= 0),
    amount_currency         text NOT NULL CHECK (amount_currency ~ '^[A-Z]{3}$'),
    created_at              timestamptz NOT NULL,
    updated_at              timestamptz NOT NULL,
    deleted_at              timestamptz,
    UNIQUE (organization_id, id)
);
-- A code names one live add-on; deleted add-ons free their code (their fees keep pointing at them).
CREATE UNIQUE INDEX add_ons_code_live ON add_ons (organization_id, code) WHERE deleted_at IS NULL;
CREATE INDEX add_ons_listing ON add_ons (organization_id, created_at DESC, id) WHERE deleted_at IS NULL;

CREATE TABLE add_on_taxes (
    organization_id uuid NOT NULL,
    add_on_id       uuid NOT NULL,
    tax_id          uuid NOT NULL,
    created_at      timestamptz NOT NULL,
    PRIMARY KEY (add_on_id, tax_id),
    FOREIGN KEY (organization_id, add_on_id) REFERENCES add_ons (organization_id, id),
    FOREIGN KEY (organization_id, tax_id) REFERENCES taxes (organization_id, id) ON DELETE CASCADE
);
CREATE INDEX add_on_taxes_by_tax ON add_on_taxes (tax_id);

-- Invoice numbers: one sequence per customer, taken under the customer lock; this makes a collision impossible.
CREATE UNIQUE INDEX invoices_customer_sequence ON invoices (customer_id, sequential_id);
CREATE INDEX invoices_by_type ON invoices (organization_id, invoice_type, created_at DESC, id);
-- The taxes of the whole invoice, one entry per tax (a snapshot: taxes may be renamed or deleted later).
ALTER TABLE invoices ADD COLUMN applied_taxes jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(applied_taxes) = 'array');
-- Lago's invoice arithmetic: what wallets took never exceeds the tax-inclusive amount after credit notes.
ALTER TABLE invoices ADD CONSTRAINT invoices_prepaid_within_total
    CHECK (prepaid_credit_amount_cents <= fees_amount_cents - coupons_amount_cents + taxes_amount_cents - credit_notes_amount_cents);
ALTER TABLE invoices ADD CONSTRAINT invoices_prepaid_split_within_prepaid
    CHECK (COALESCE(prepaid_granted_credit_amount_cents, 0) + COALESCE(prepaid_purchased_credit_amount_cents, 0) <= prepaid_credit_amount_cents);
ALTER TABLE invoices ADD CONSTRAINT invoices_voided_when_voided CHECK ((status = 'voided') = (voided_at IS NOT NULL));

-- Fees of subscription and one-off invoices: what they bill, for which period, and their exact amounts.
ALTER TABLE fees
    ADD COLUMN subscription_id              uuid,
    ADD COLUMN charge_id                    uuid,
    ADD COLUMN billable_metric_id           uuid,
    ADD COLUMN add_on_id                    uuid REFERENCES add_ons (id),
    -- The wallet the charge's events targeted (a charge fee per target group); only that wallet may pay it.
    ADD COLUMN target_wallet_code           text CHECK (target_wallet_code <> ''),
    ADD COLUMN events_count                 bigint CHECK (events_count >= 0),
    ADD COLUMN precise_amount_cents         numeric(40,15) NOT NULL DEFAULT 0 CHECK (precise_amount_cents >= 0),
    ADD COLUMN taxes_precise_amount_cents   numeric(40,15) NOT NULL DEFAULT 0 CHECK (taxes_precise_amount_cents >= 0),
    ADD COLUMN applied_taxes                jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(applied_taxes) = 'array'),
    ADD COLUMN from_datetime                timestamptz,
    ADD COLUMN to_datetime                  timestamptz,
    ADD COLUMN pay_in_advance               boolean NOT NULL DEFAULT false,
    -- What the fee is for, as shown in its `item` (snapshotted: plans, metrics and add-ons can be renamed or deleted).
    ADD COLUMN item_code                    text,
    ADD COLUMN item_name                    text,
    ADD COLUMN description                  text,
    ADD CONSTRAINT fees_amounts_not_negative CHECK (amount_cents >= 0 AND taxes_amount_cents >= 0 AND units >= 0),
    ADD CONSTRAINT fees_period_in_order CHECK (to_datetime >= from_datetime),
    -- Each fee type points at what it bills.
    ADD CONSTRAINT fees_subscription_has_subscription CHECK (fee_type <> 'subscription' OR subscription_id IS NOT NULL),
    ADD CONSTRAINT fees_charge_has_charge CHECK (fee_type <> 'charge'
        OR (subscription_id IS NOT NULL AND charge_id IS NOT NULL AND billable_metric_id IS NOT NULL)),
    ADD CONSTRAINT fees_add_on_has_add_on CHECK ((fee_type = 'add_on') = (add_on_id IS NOT NULL)),
    ADD CONSTRAINT fees_credit_has_purchase CHECK (fee_type <> 'credit' OR wallet_transaction_id IS NOT NULL),
    ADD CONSTRAINT fees_target_only_on_charges CHECK (target_wallet_code IS NULL OR fee_type = 'charge');
-- Credit fees written before this file: their exact amount is their amount.
UPDATE fees SET precise_amount_cents = amount_cents WHERE fee_type = 'credit';

-- Which subscription (and which periods of it) an invoice bills. `from/to` is the period of the subscription fee,
-- `charges_from/to` the period of the usage; each is billed once per subscription (the job's last guard).
-- A pay-in-advance subscription's first invoice has no usage period; its termination invoice has no fee period.
CREATE TABLE invoice_subscriptions (
    id                      uuid PRIMARY KEY,
    organization_id         uuid NOT NULL REFERENCES organizations (id),
    invoice_id              uuid NOT NULL REFERENCES invoices (id),
    subscription_id         uuid NOT NULL REFERENCES subscriptions (id),
    invoicing_reason        text NOT NULL CHECK (invoicing_reason IN ('subscription_starting', 'subscription_periodic', 'subscription_terminating')),
    from_datetime           timestamptz,
    to_datetime             timestamptz,
    charges_from_datetime   timestamptz,
    charges_to_datetime     timestamptz,
    created_at              timestamptz NOT NULL,
    CHECK ((from_datetime IS NULL) = (to_datetime IS NULL) AND to_datetime >= from_datetime),
    CHECK ((charges_from_datetime IS NULL) = (charges_to_datetime IS NULL) AND charges_to_datetime >= charges_from_datetime),
    CHECK (from_datetime IS NOT NULL OR charges_from_datetime IS NOT NULL),
    UNIQUE (invoice_id, subscription_id)
);
-- A subscription-fee period is billed exactly once ...
CREATE UNIQUE INDEX invoice_subscriptions_fee_period ON invoice_subscriptions (subscription_id, from_datetime);
-- ... and so is a usage period.
CREATE UNIQUE INDEX invoice_subscriptions_charges_period ON invoice_subscriptions (subscription_id, charges_from_datetime);
-- A subscription starts and terminates once.
CREATE UNIQUE INDEX invoice_subscriptions_one_start ON invoice_subscriptions (subscription_id)
    WHERE invoicing_reason = 'subscription_starting';
CREATE UNIQUE INDEX invoice_subscriptions_one_termination ON invoice_subscriptions (subscription_id)
    WHERE invoicing_reason = 'subscription_terminating';

-- When a subscription's next invoice is due (null: not computed yet). Only a hint for the billing job's scan:
-- what was billed is read from invoice_subscriptions.
ALTER TABLE subscriptions ADD COLUMN next_billing_at timestamptz;
CREATE INDEX subscriptions_billing_due ON subscriptions (next_billing_at NULLS FIRST, id) WHERE status = 'active';

-- Prepaid credits are applied to an invoice once: one `invoiced` debit per (invoice, wallet) ...
CREATE UNIQUE INDEX wallet_transactions_one_debit_per_invoice ON wallet_transactions (invoice_id, wallet_id)
    WHERE transaction_type = 'outbound' AND transaction_status = 'invoiced';
-- ... and given back once when it is voided: one granted re-credit per (voided invoice, wallet).
CREATE UNIQUE INDEX wallet_transactions_one_recredit_per_voided_invoice ON wallet_transactions (voided_invoice_id, wallet_id)
    WHERE voided_invoice_id IS NOT NULL;
ALTER TABLE wallet_transactions ADD CONSTRAINT wallet_transactions_invoiced_names_invoice
    CHECK (transaction_status <> 'invoiced' OR invoice_id IS NOT NULL);
ALTER TABLE wallet_transactions ADD CONSTRAINT wallet_transactions_recredit_is_granted
    CHECK (voided_invoice_id IS NULL OR transaction_status = 'granted');
