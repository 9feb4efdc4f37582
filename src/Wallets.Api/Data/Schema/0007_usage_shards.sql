-- Concurrent ingestion statements no longer queue on the same usage rows' locks. A batch of events touches many
-- usage rows and holds their locks until it commits (its WAL flushed), so two batches on overlapping subscriptions ran
-- one after the other. Now each statement adds count, sum and unique-count usage to its own copy of the row, its
-- shard (one per statement in flight in an API process); readers add the shards up. max_agg and latest_agg are not
-- additive and always use shard 0, so they stay one row.
ALTER TABLE charge_usage ADD COLUMN shard smallint NOT NULL DEFAULT 0 CHECK (shard >= 0);
ALTER TABLE charge_usage DROP CONSTRAINT charge_usage_pkey;
ALTER TABLE charge_usage ADD PRIMARY KEY (subscription_id, charge_id, period_from, target_wallet_code, shard);
