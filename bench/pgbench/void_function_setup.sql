-- A void as one server-side function (only in the scratch copy of wallets_bench that bench/pgbench.sh uses):
-- the same lock, reads, writes and ledger checks as the API's void, in one round trip instead of six.
CREATE OR REPLACE FUNCTION pgbench_void(p_wallet uuid, p_cents bigint) RETURNS uuid LANGUAGE plpgsql AS $$
DECLARE
    w       record;
    g       record;
    left_   bigint := p_cents;
    take    bigint;
    out_id  uuid := gen_random_uuid();
BEGIN
    SELECT customer_id INTO w FROM wallets WHERE id = p_wallet;
    PERFORM pg_advisory_xact_lock(hashtextextended(w.customer_id::text, 0));
    SELECT id, customer_id, organization_id, balance_cents INTO w FROM wallets WHERE id = p_wallet;
    IF w.balance_cents < p_cents THEN RAISE EXCEPTION 'insufficient_credits'; END IF;
    INSERT INTO wallet_transactions (id, organization_id, customer_id, wallet_id, transaction_type, status, transaction_status,
        amount_cents, credit_amount, priority, metadata, settled_at, created_at, updated_at)
    VALUES (out_id, w.organization_id, w.customer_id, p_wallet, 'outbound', 'settled', 'voided', p_cents, p_cents / 100.0, 50, '[]', now(), now(), now());
    FOR g IN SELECT id, remaining_amount_cents FROM wallet_transactions WHERE wallet_id = p_wallet AND remaining_amount_cents > 0
             ORDER BY priority, transaction_status <> 'granted', created_at, id LOOP
        take := least(left_, g.remaining_amount_cents);
        UPDATE wallet_transactions SET remaining_amount_cents = remaining_amount_cents - take, updated_at = now() WHERE id = g.id;
        INSERT INTO wallet_transaction_consumptions (id, organization_id, wallet_id, inbound_wallet_transaction_id,
            outbound_wallet_transaction_id, consumed_amount_cents, created_at)
        VALUES (gen_random_uuid(), w.organization_id, p_wallet, g.id, out_id, take, now());
        left_ := left_ - take;
        EXIT WHEN left_ = 0;
    END LOOP;
    UPDATE wallets SET balance_cents = balance_cents - p_cents, consumed_amount_cents = consumed_amount_cents + p_cents,
        last_balance_sync_at = now(), last_consumed_credit_at = now(), updated_at = now() WHERE id = p_wallet;
    RETURN out_id;
END $$;
