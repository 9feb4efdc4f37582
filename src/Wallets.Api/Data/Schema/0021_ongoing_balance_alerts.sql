-- Each wallet keeps the band of values inside which none of its alerts can fire or re-arm, so a change that stays in
-- it evaluates nothing: the balance band (wallet_balance_amount, wallet_credits_balance), read with the wallet by every
-- change of its balance, and the ongoing-balance band (wallet_ongoing_balance_amount, wallet_credits_ongoing_balance),
-- read by the job that follows usage. Both in cents:
--   a value at or below alert_floor_cents may cross a threshold below previous_value (one fires when current <= t < previous);
--   a value above alert_ceiling_cents may re-arm one (previous_value moves up past a threshold t >= previous).
-- NULL: no such threshold. Kept by the database whatever writes the alerts, their thresholds or their previous values.
ALTER TABLE wallets
    ADD COLUMN alert_floor_cents bigint,
    ADD COLUMN alert_ceiling_cents bigint,
    ADD COLUMN ongoing_alert_floor_cents bigint,
    ADD COLUMN ongoing_alert_ceiling_cents bigint;

-- The bands replace the flag that sent every balance change of a wallet with an alert to the evaluation.
DROP TRIGGER wallet_alerts_flag ON wallet_alerts;
DROP FUNCTION wallet_alerts_flag();
ALTER TABLE wallets DROP COLUMN balance_alerts;

-- The bands of one wallet. Per alert, from its previous value p: `below` is the highest threshold under p, `above` the
-- lowest at or over it; a recurring step s repeats below the lowest one-time threshold i (or 0) at i - k*s, k >= 1.
-- In cents: a credits value is round(cents / cents_per_credit, 5), so the floor is the last cent whose value can be at
-- or below `below` (one credit-rounding step of margin), the ceiling the last cent whose value cannot exceed `above`.
-- A narrower band only evaluates more often; bounds beyond bigint are clamped (no balance reaches them).
CREATE FUNCTION wallet_alert_cents(value numeric) RETURNS bigint LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT least(greatest(value, -9e18), 9e18)::bigint
$$;

CREATE FUNCTION wallet_alert_bands(wallet uuid)
RETURNS TABLE (balance_floor bigint, balance_ceiling bigint, ongoing_floor bigint, ongoing_ceiling bigint)
LANGUAGE sql STABLE AS $$
    SELECT max(b.floor_cents) FILTER (WHERE NOT b.ongoing), min(b.ceiling_cents) FILTER (WHERE NOT b.ongoing),
           max(b.floor_cents) FILTER (WHERE b.ongoing), min(b.ceiling_cents) FILTER (WHERE b.ongoing)
    FROM (
        SELECT a.alert_type IN ('wallet_ongoing_balance_amount', 'wallet_credits_ongoing_balance') AS ongoing,
               wallet_alert_cents(CASE WHEN a.alert_type IN ('wallet_balance_amount', 'wallet_ongoing_balance_amount') THEN floor(x.below)
                                       ELSE ceil((x.below + 0.00001) * a.cents_per_credit) END) AS floor_cents,
               wallet_alert_cents(CASE WHEN a.alert_type IN ('wallet_balance_amount', 'wallet_ongoing_balance_amount') THEN floor(x.above)
                                       ELSE floor(x.above * a.cents_per_credit) END) AS ceiling_cents
        FROM wallet_alerts a
        CROSS JOIN LATERAL (
            SELECT coalesce(min(t.value) FILTER (WHERE NOT t.recurring), 0) AS initial, max(t.value) FILTER (WHERE t.recurring) AS step,
                   max(t.value) FILTER (WHERE NOT t.recurring AND t.value < a.previous_value) AS below,
                   min(t.value) FILTER (WHERE NOT t.recurring AND t.value >= a.previous_value) AS above
            FROM wallet_alert_thresholds t WHERE t.alert_id = a.id) s
        CROSS JOIN LATERAL (SELECT floor((s.initial - a.previous_value) / s.step) AS k) r
        CROSS JOIN LATERAL (
            SELECT greatest(s.below, s.initial - greatest(r.k + 1, 1) * s.step) AS below,
                   least(s.above, CASE WHEN r.k >= 1 THEN s.initial - r.k * s.step END) AS above) x
        WHERE a.wallet_id = wallet) b
$$;

CREATE FUNCTION wallet_alert_bands_keep() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    wallet uuid;
BEGIN
    IF TG_TABLE_NAME = 'wallet_alerts' THEN
        wallet := COALESCE(NEW.wallet_id, OLD.wallet_id);
    ELSE
        -- A threshold deleted with its alert finds none: the alert's own trigger sets the bands.
        SELECT a.wallet_id INTO wallet FROM wallet_alerts a WHERE a.id = COALESCE(NEW.alert_id, OLD.alert_id);
    END IF;
    UPDATE wallets w SET alert_floor_cents = b.balance_floor, alert_ceiling_cents = b.balance_ceiling,
                         ongoing_alert_floor_cents = b.ongoing_floor, ongoing_alert_ceiling_cents = b.ongoing_ceiling
    FROM wallet_alert_bands(wallet) b
    WHERE w.id = wallet
      AND (w.alert_floor_cents, w.alert_ceiling_cents, w.ongoing_alert_floor_cents, w.ongoing_alert_ceiling_cents)
          IS DISTINCT FROM (b.balance_floor, b.balance_ceiling, b.ongoing_floor, b.ongoing_ceiling);
    RETURN NULL;
END $$;

CREATE TRIGGER wallet_alert_bands AFTER INSERT OR UPDATE OR DELETE ON wallet_alerts
    FOR EACH ROW EXECUTE FUNCTION wallet_alert_bands_keep();
CREATE TRIGGER wallet_alert_bands AFTER INSERT OR UPDATE OR DELETE ON wallet_alert_thresholds
    FOR EACH ROW EXECUTE FUNCTION wallet_alert_bands_keep();

UPDATE wallets w SET alert_floor_cents = b.balance_floor, alert_ceiling_cents = b.balance_ceiling,
                     ongoing_alert_floor_cents = b.ongoing_floor, ongoing_alert_ceiling_cents = b.ongoing_ceiling
FROM (SELECT DISTINCT wallet_id FROM wallet_alerts) a CROSS JOIN LATERAL wallet_alert_bands(a.wallet_id) b
WHERE w.id = a.wallet_id;

-- wallets.depleted_ongoing_balance (Lago's column) is the flag as last evaluated by the ongoing-balance job: the
-- `wallet.depleted_ongoing_balance` webhook is sent when it turns true, so once per depletion.
