-- Tenancy: an organization owns everything; its API keys are stored as SHA-256 hashes only.
CREATE TABLE organizations (
    id                  uuid PRIMARY KEY,
    name                text NOT NULL,
    max_wallets         integer NOT NULL DEFAULT 6 CHECK (max_wallets > 0),
    created_at          timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL
);

CREATE TABLE api_keys (
    id                  uuid PRIMARY KEY,
    organization_id     uuid NOT NULL REFERENCES organizations (id),
    key_hash            text NOT NULL UNIQUE,
    created_at          timestamptz NOT NULL
);

CREATE TABLE customers (
    id                          uuid PRIMARY KEY,
    organization_id             uuid NOT NULL REFERENCES organizations (id),
    sequential_id               bigint NOT NULL,
    external_id                 text NOT NULL,
    name                        text,
    firstname                   text,
    lastname                    text,
    email                       text,
    currency                    text,
    timezone                    text,
    country                     text,
    address_line1               text,
    address_line2               text,
    city                        text,
    state                       text,
    zipcode                     text,
    phone                       text,
    url                         text,
    legal_name                  text,
    legal_number                text,
    tax_identification_number   text,
    net_payment_term            integer,
    account_type                text NOT NULL DEFAULT 'customer',
    customer_type               text,
    metadata                    jsonb NOT NULL DEFAULT '[]',
    created_at                  timestamptz NOT NULL,
    updated_at                  timestamptz NOT NULL,
    deleted_at                  timestamptz
);

-- One live customer per external id; deleted customers keep their history.
CREATE UNIQUE INDEX customers_external_id_live ON customers (organization_id, external_id) WHERE deleted_at IS NULL;
CREATE INDEX customers_listing ON customers (organization_id, created_at DESC, id) WHERE deleted_at IS NULL;
