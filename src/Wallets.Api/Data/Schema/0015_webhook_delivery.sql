-- Webhook signing. Each organization has an HMAC key (endpoints with signature_algo = hmac are signed with it); the
-- ones that exist get theirs now. 64 hex characters from two random UUIDs (pg_strong_random underneath).
ALTER TABLE organizations ADD COLUMN hmac_key text;
UPDATE organizations SET hmac_key = replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', '');
ALTER TABLE organizations
    ALTER COLUMN hmac_key SET NOT NULL,
    ALTER COLUMN hmac_key SET DEFAULT replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''),
    ADD CONSTRAINT organizations_hmac_key_length CHECK (length(hmac_key) >= 32);

-- The RSA key pair that signs JWT webhooks: one row, written by the first process that needs it (INSERT ... ON
-- CONFLICT DO NOTHING, then read back), so every process signs with the same key and publishes the same public key.
CREATE TABLE webhook_signing_keys (
    id          smallint PRIMARY KEY CHECK (id = 1),
    private_key text NOT NULL,
    public_key  text NOT NULL,
    created_at  timestamptz NOT NULL
);
