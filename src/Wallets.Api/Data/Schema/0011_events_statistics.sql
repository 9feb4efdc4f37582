-- ANALYZE reads 300 rows per unit of a table's largest statistics target (default 100: 30,000 rows), from up to as
-- many pages, so on `events` it read nearly every page of a million-row table and spent ~0.5 s of CPU on it, much
-- of it on the `properties` documents; the automatic analyze that follows every ~10 % of growth then competed with
-- ingestion and balance reads for the cores (bench/README.md). Queries filter events only on the organization,
-- transaction_id, external subscription, code and timestamp, by index, so those keep a small sample and the other
-- columns none: at 1.46 million events an analyze took 20-30 ms instead of 410-480.
ALTER TABLE events
    ALTER COLUMN organization_id SET STATISTICS 10,
    ALTER COLUMN transaction_id SET STATISTICS 10,
    ALTER COLUMN external_subscription_id SET STATISTICS 10,
    ALTER COLUMN code SET STATISTICS 10,
    ALTER COLUMN "timestamp" SET STATISTICS 10,
    ALTER COLUMN id SET STATISTICS 0,
    ALTER COLUMN external_customer_id SET STATISTICS 0,
    ALTER COLUMN properties SET STATISTICS 0,
    ALTER COLUMN precise_total_amount_cents SET STATISTICS 0,
    ALTER COLUMN target_wallet_code SET STATISTICS 0,
    ALTER COLUMN subscription_id SET STATISTICS 0,
    ALTER COLUMN customer_id SET STATISTICS 0,
    ALTER COLUMN created_at SET STATISTICS 0;
