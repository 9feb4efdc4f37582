-- A wallet's automatic top-ups (Lago's recurring transaction rules): on an interval (the anniversary of started_at, or
-- of the wallet's creation, in the customer's time zone) or when the wallet's ongoing balance falls to a threshold;
-- a fixed number of credits, or what brings the ongoing balance up to a target. Credits as Lago stores them.
CREATE TABLE recurring_transaction_rules (
    id                                  uuid PRIMARY KEY,
    organization_id                     uuid NOT NULL REFERENCES organizations (id),
    wallet_id                           uuid NOT NULL REFERENCES wallets (id),
    "trigger"                           text NOT NULL CHECK ("trigger" IN ('interval', 'threshold')),
    method                              text NOT NULL CHECK (method IN ('fixed', 'target')),
    "interval"                          text CHECK ("interval" IN ('weekly', 'monthly', 'quarterly', 'semiannual', 'yearly')),
    status                              text NOT NULL CHECK (status IN ('active', 'terminated')),
    paid_credits                        numeric(30,5) NOT NULL DEFAULT 0 CHECK (paid_credits >= 0),
    granted_credits                     numeric(30,5) NOT NULL DEFAULT 0 CHECK (granted_credits >= 0),
    threshold_credits                   numeric(30,5) NOT NULL DEFAULT 0 CHECK (threshold_credits >= 0),
    target_ongoing_balance              numeric(30,5) CHECK (target_ongoing_balance >= 0),
    grants_target_top_up                boolean,
    started_at                          timestamptz,
    expiration_at                       timestamptz,
    terminated_at                       timestamptz,
    invoice_requires_successful_payment boolean NOT NULL DEFAULT false,
    ignore_paid_top_up_limits           boolean NOT NULL DEFAULT false,
    transaction_name                    text CHECK (length(transaction_name) BETWEEN 1 AND 255),
    transaction_metadata                jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(transaction_metadata) = 'array'),
    created_at                          timestamptz NOT NULL,
    updated_at                          timestamptz NOT NULL,
    CHECK (("trigger" = 'interval') = ("interval" IS NOT NULL)),
    CHECK ((method = 'target') = (target_ongoing_balance IS NOT NULL)),
    CHECK (grants_target_top_up IS NULL OR method = 'target'),
    CHECK ("trigger" <> 'threshold' OR method <> 'target' OR target_ongoing_balance >= threshold_credits),
    CHECK ((status = 'terminated') = (terminated_at IS NOT NULL))
);
-- Lago takes at most one rule per request and terminates the rules an update leaves out: one active rule per wallet.
CREATE UNIQUE INDEX recurring_transaction_rules_active ON recurring_transaction_rules (wallet_id) WHERE status = 'active';
-- The top-up job's scan: active rules by trigger.
CREATE INDEX recurring_transaction_rules_by_trigger ON recurring_transaction_rules ("trigger") WHERE status = 'active';
