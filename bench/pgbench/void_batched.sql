-- The same statements as void_as_server.sql in 2 round trips: BEGIN + the wallet lookup, then everything else and
-- COMMIT in one message. What the void would cost if the server sent its SQL as one batch (or one function call).
\set n random(:lo, :hi)
BEGIN \; SELECT wallet_id AS wid, customer_id AS cid, organization_id AS org, grant_id AS gid FROM pgbench_wallets WHERE n = :n \gset
SELECT pg_advisory_xact_lock(hashtextextended(':cid', 0)) \;
SELECT w.*, c.* FROM wallets w JOIN customers c ON c.id = w.customer_id AND c.organization_id = ':org' AND c.deleted_at IS NULL
 WHERE w.organization_id = ':org' AND w.id = ':wid' LIMIT 1 \;
SELECT * FROM wallet_transactions WHERE organization_id = ':org' AND wallet_id = ':wid' AND remaining_amount_cents > 0
 ORDER BY priority, transaction_status <> 'granted', created_at, id \;
UPDATE wallet_transactions SET remaining_amount_cents = remaining_amount_cents - 1, updated_at = now() WHERE id = ':gid' \;
WITH o AS (INSERT INTO wallet_transactions (id, organization_id, customer_id, wallet_id, transaction_type, status, transaction_status,
        amount_cents, credit_amount, priority, metadata, settled_at, created_at, updated_at)
    VALUES (gen_random_uuid(), ':org', ':cid', ':wid', 'outbound', 'settled', 'voided', 1, 0.01, 50, '[]', now(), now(), now()) RETURNING id)
INSERT INTO wallet_transaction_consumptions (id, organization_id, wallet_id, inbound_wallet_transaction_id, outbound_wallet_transaction_id,
        consumed_amount_cents, created_at)
    SELECT gen_random_uuid(), ':org', ':wid', ':gid', o.id, 1, now() FROM o \;
UPDATE wallets SET balance_cents = balance_cents - 1, consumed_amount_cents = consumed_amount_cents + 1, last_balance_sync_at = now(),
    last_consumed_credit_at = now(), updated_at = now() WHERE id = ':wid' \;
COMMIT;
