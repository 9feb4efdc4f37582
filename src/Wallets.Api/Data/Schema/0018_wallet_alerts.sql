-- Wallet alerts (Lago's usage_monitoring_alerts of the wallet types): thresholds on a wallet's balance, in cents
-- (wallet_balance_amount) or credits (wallet_credits_balance), and on its ongoing balance. Wallet alerts watch a value
-- going down (Lago's direction `decreasing`). previous_value is the value of the last evaluation: a threshold fires
-- when the value goes from above it to at or below it, so it fires once, and again only after the value went back up.
CREATE TABLE wallet_alerts (
    id                uuid PRIMARY KEY,
    organization_id   uuid NOT NULL REFERENCES organizations (id),
    wallet_id         uuid NOT NULL REFERENCES wallets (id),
    alert_type        text NOT NULL CHECK (alert_type IN ('wallet_balance_amount', 'wallet_credits_balance',
                          'wallet_ongoing_balance_amount', 'wallet_credits_ongoing_balance')),
    code              text NOT NULL CHECK (length(code) BETWEEN 1 AND 255),
    name              text CHECK (length(name) <= 255),
    -- The price of one credit in cents (the wallet's rate × its currency's subunit), so credits are computed in SQL.
    cents_per_credit  numeric NOT NULL CHECK (cents_per_credit > 0),
    previous_value    numeric(30,5) NOT NULL DEFAULT 0,
    last_processed_at timestamptz,
    created_at        timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL,
    UNIQUE (wallet_id, code),
    -- Lago: one alert of each type per wallet.
    UNIQUE (wallet_id, alert_type)
);

CREATE TABLE wallet_alert_thresholds (
    id         uuid PRIMARY KEY,
    alert_id   uuid NOT NULL REFERENCES wallet_alerts (id) ON DELETE CASCADE,
    -- The order the thresholds were given in.
    position   integer NOT NULL CHECK (position >= 0),
    code       text CHECK (length(code) <= 255),
    value      numeric(30,5) NOT NULL,
    recurring  boolean NOT NULL DEFAULT false,
    -- A recurring threshold is a step: every `value` below the lowest one-time threshold (or 0).
    CHECK (NOT recurring OR value > 0),
    UNIQUE (alert_id, position),
    UNIQUE (alert_id, value, recurring)
);
-- Lago: at most one recurring threshold per alert.
CREATE UNIQUE INDEX wallet_alert_thresholds_one_recurring ON wallet_alert_thresholds (alert_id) WHERE recurring;

-- Whether the wallet has a balance alert, read with the wallet by every change of its balance, so a change to a
-- wallet without one evaluates nothing. Kept by the database whatever writes the alerts.
ALTER TABLE wallets ADD COLUMN balance_alerts boolean NOT NULL DEFAULT false;

CREATE FUNCTION wallet_alerts_flag() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE wallets w SET balance_alerts = EXISTS (
        SELECT 1 FROM wallet_alerts a WHERE a.wallet_id = w.id AND a.alert_type IN ('wallet_balance_amount', 'wallet_credits_balance'))
    WHERE w.id = COALESCE(NEW.wallet_id, OLD.wallet_id);
    RETURN NULL;
END $$;

CREATE TRIGGER wallet_alerts_flag AFTER INSERT OR DELETE ON wallet_alerts FOR EACH ROW EXECUTE FUNCTION wallet_alerts_flag();
