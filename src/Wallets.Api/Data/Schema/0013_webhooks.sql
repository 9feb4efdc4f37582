-- Webhooks: the endpoints an organization registers (Lago's webhook_endpoints), and the transactional outbox of
-- deliveries (Lago's webhooks table). A delivery row is written in the same transaction as the change it reports,
-- one row per subscribed endpoint, so a rolled-back change sends nothing and a committed one is never lost; the
-- dispatcher claims due rows with FOR UPDATE SKIP LOCKED, so several API processes deliver each row once.
CREATE TABLE webhook_endpoints (
    id              uuid PRIMARY KEY,
    organization_id uuid NOT NULL REFERENCES organizations (id),
    webhook_url     text NOT NULL CHECK (length(webhook_url) BETWEEN 1 AND 2048),
    signature_algo  text NOT NULL DEFAULT 'jwt' CHECK (signature_algo IN ('jwt', 'hmac')),
    name            text CHECK (length(name) <= 255),
    -- NULL: every event type.
    event_types     text[],
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    UNIQUE (organization_id, webhook_url)
);
CREATE INDEX webhook_endpoints_organization ON webhook_endpoints (organization_id);

CREATE TABLE webhooks (
    -- Also the X-Lago-Unique-Key: the same on every retry of this delivery.
    id                  uuid PRIMARY KEY,
    organization_id     uuid NOT NULL REFERENCES organizations (id),
    webhook_endpoint_id uuid NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    webhook_type        text NOT NULL,
    object_type         text NOT NULL,
    -- The whole body, frozen when the change was made: {webhook_type, object_type, organization_id, <object_type>}.
    -- json, not jsonb: the text is kept byte for byte, so the body sent is the one the API serialized and signed.
    payload             json NOT NULL CHECK (json_typeof(payload) = 'object'),
    status              text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'succeeded', 'failed')),
    attempts            integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at     timestamptz,
    last_attempt_at     timestamptz,
    http_status         integer,
    last_error          text,
    created_at          timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL,
    -- Only a pending delivery is due; a finished one is never picked again.
    CHECK ((status = 'pending') = (next_attempt_at IS NOT NULL))
);
-- The dispatcher's claim: due pending rows, oldest first.
CREATE INDEX webhooks_due ON webhooks (next_attempt_at) WHERE status = 'pending';
-- An endpoint's deliveries, newest first (GET /webhook_endpoints/{id}/webhooks), and the retention job.
CREATE INDEX webhooks_endpoint_created ON webhooks (webhook_endpoint_id, created_at DESC);
CREATE INDEX webhooks_finished ON webhooks (updated_at) WHERE status <> 'pending';
