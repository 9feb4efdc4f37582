-- Usage events, stored as sent (idempotent by transaction_id, as Lago), and the usage they add up to.

-- No foreign keys: events arrive by thousands per second and are only ever inserted, and each key check would cost
-- more than the insert itself; the API writes organization_id from the caller's key and ids it has just read.
CREATE TABLE events (
    id                          uuid PRIMARY KEY,
    organization_id             uuid NOT NULL,
    transaction_id              text NOT NULL CHECK (transaction_id <> ''),
    -- '' when the event names only a customer.
    external_subscription_id    text NOT NULL DEFAULT '',
    external_customer_id        text,
    code                        text NOT NULL CHECK (code <> ''),
    "timestamp"                 timestamptz NOT NULL,
    properties                  jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(properties) = 'object'),
    precise_total_amount_cents  numeric(40,15),
    -- The wallet the event targets (DESIGN.md 13: from the top level or from properties); '' when none.
    target_wallet_code          text NOT NULL DEFAULT '',
    -- Set at ingestion when the event matched an active subscription (events for unknown ones are kept, unused).
    subscription_id             uuid,
    customer_id                 uuid,
    created_at                  timestamptz NOT NULL
);
-- Lago's idempotency: one event per transaction_id and subscription. Leading with transaction_id also serves
-- GET /events/{transaction_id}.
CREATE UNIQUE INDEX events_transaction_id ON events (organization_id, transaction_id, external_subscription_id);
-- GET /events: Lago's order (newest timestamp first, then transaction_id, sorted within equal timestamps).
-- Only two secondary indexes: each one costs every insert, and usage is read from charge_usage, never from here.
CREATE INDEX events_listing ON events (organization_id, "timestamp");

-- Usage aggregated as events arrive (in the same statement that stores the event): one row per subscription,
-- charge, billing period (the full period's start, in the customer's time zone) and target wallet ('' when the
-- event targets none or the charge does not accept targets). Current usage, the real-time wallet balance and
-- invoices read these rows, never the raw events.
CREATE TABLE charge_usage (
    organization_id     uuid NOT NULL REFERENCES organizations (id),
    subscription_id     uuid NOT NULL,
    charge_id           uuid NOT NULL,
    period_from         timestamptz NOT NULL,
    target_wallet_code  text NOT NULL DEFAULT '',
    -- count_agg: events; sum_agg: the sum; max_agg: the greatest value; latest_agg: the latest event's value;
    -- unique_count_agg: distinct values (charge_usage_values). Events whose value is not a number add nothing.
    units               numeric(40,10) NOT NULL DEFAULT 0,
    events_count        bigint NOT NULL DEFAULT 0 CHECK (events_count >= 0),
    -- max_agg and latest_agg: the timestamp of the latest event that carried a number (null: none yet, so
    -- `units` is no value yet); for latest_agg `units` holds that event's value.
    latest_at           timestamptz,
    updated_at          timestamptz NOT NULL,
    PRIMARY KEY (subscription_id, charge_id, period_from, target_wallet_code)
) WITH (fillfactor = 50);  -- room on each page, so the constant updates stay HOT (no index writes)
-- Reading one period of a subscription (current usage, ongoing balances).
CREATE INDEX charge_usage_of_period ON charge_usage (subscription_id, period_from);

-- unique_count_agg: the distinct values seen per usage row; a new value adds one unit. Values longer than
-- 256 bytes are stored as their SHA-256, so the key always fits in an index entry.
CREATE TABLE charge_usage_values (
    subscription_id     uuid NOT NULL,
    charge_id           uuid NOT NULL,
    period_from         timestamptz NOT NULL,
    target_wallet_code  text NOT NULL,
    value               text NOT NULL,
    PRIMARY KEY (subscription_id, charge_id, period_from, target_wallet_code, value)
);
