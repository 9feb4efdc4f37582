-- The outbox, cheaper to write: a debit with a subscribed endpoint inserts a row here in the ledger's own batch.
--
-- No per-row foreign keys: their checks (a trigger and a lookup per row) were a third of the database's cost of
-- writing a row. The same rules hold set-based instead. Every writer makes its rows from a join with the subscribed
-- endpoints, locking those endpoints (FOR KEY SHARE, as a foreign key's check does): an endpoint being deleted makes
-- the writer wait, and one already deleted gets no row. Deleting an endpoint deletes its deliveries (the cascade),
-- in one statement after the endpoints' rows are gone, so it also sees the rows of a writer it waited for.
ALTER TABLE webhooks
    DROP CONSTRAINT webhooks_organization_id_fkey,
    DROP CONSTRAINT webhooks_webhook_endpoint_id_fkey;

CREATE FUNCTION webhook_endpoints_delete_deliveries() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM webhooks w USING deleted d WHERE w.webhook_endpoint_id = d.id;
    RETURN NULL;
END $$;
CREATE TRIGGER webhook_endpoints_delete_deliveries AFTER DELETE ON webhook_endpoints
    REFERENCING OLD TABLE AS deleted FOR EACH STATEMENT EXECUTE FUNCTION webhook_endpoints_delete_deliveries();

-- An endpoint's deliveries, newest first, read backwards: a new row goes to the end of its endpoint's range (the
-- index's right end for the busiest endpoint), not to the start, where every page split left a half-empty page.
DROP INDEX webhooks_endpoint_created;
CREATE INDEX webhooks_endpoint_created ON webhooks (webhook_endpoint_id, created_at, id);

-- Time-ordered ids (UUIDv7: 48-bit Unix milliseconds, version 7, random bits), like the API's own: a new row's id
-- goes to the right end of the primary key, not to a random page of it.
CREATE FUNCTION uuid_v7() RETURNS uuid LANGUAGE sql VOLATILE PARALLEL SAFE AS $$
    SELECT encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid())
        PLACING substring(int8send((extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3) FROM 1 FOR 6), 52, 1), 53, 1), 'hex')::uuid
$$;
