-- The shards the fold job (Jobs/UsageShardFoldJob.cs) looks for: ingestion adds usage to shards above 0, the job moves
-- quiet ones into shard 0. Only rows above 0 are indexed, so the job reads the usage written lately rather than the
-- whole history. The key (shard) never changes on update and updated_at is not indexed, so ingestion's updates stay HOT.
CREATE INDEX charge_usage_unfolded ON charge_usage (shard) WHERE shard > 0;
