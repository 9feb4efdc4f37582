-- API keys that can be named, listed and revoked. Only the SHA-256 hash of a key is stored; `prefix` (the first
-- characters of the key) lets a list show which key is which. `last_used_at` is written at most once a minute per key.
ALTER TABLE api_keys
    ADD COLUMN name         text NOT NULL DEFAULT 'default' CHECK (length(name) BETWEEN 1 AND 255),
    ADD COLUMN prefix       text NOT NULL DEFAULT '' CHECK (length(prefix) <= 16),
    ADD COLUMN last_used_at timestamptz,
    ADD COLUMN revoked_at   timestamptz;

-- Every change to a key, made by whoever (the command line, SQL by hand), tells every API process at commit: the
-- payload is the key's hash, and a process drops what it cached for that hash, so a revoked key is refused at once
-- and a new key is accepted even if it was tried (and cached as unknown) before it existed.
CREATE FUNCTION api_keys_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('wallets_api_keys', CASE WHEN TG_OP = 'DELETE' THEN OLD.key_hash ELSE NEW.key_hash END);
    RETURN NULL;
END $$;

CREATE TRIGGER api_keys_notify_insert AFTER INSERT ON api_keys FOR EACH ROW EXECUTE FUNCTION api_keys_notify();
CREATE TRIGGER api_keys_notify_delete AFTER DELETE ON api_keys FOR EACH ROW EXECUTE FUNCTION api_keys_notify();
-- last_used_at alone changes nothing a process caches.
CREATE TRIGGER api_keys_notify_update AFTER UPDATE OF key_hash, revoked_at, organization_id ON api_keys
    FOR EACH ROW EXECUTE FUNCTION api_keys_notify();
