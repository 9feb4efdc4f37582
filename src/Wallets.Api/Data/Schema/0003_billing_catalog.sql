-- The billing catalog: billable metrics, taxes, plans and their charges, and subscriptions to plans.
-- Every child row repeats organization_id and references its parent by (organization_id, id), so the database
-- itself refuses a charge, tax link or subscription that crosses organizations.

ALTER TABLE customers ADD CONSTRAINT customers_organization_id_id UNIQUE (organization_id, id);

CREATE TABLE billable_metrics (
    id                  uuid PRIMARY KEY,
    organization_id     uuid NOT NULL REFERENCES organizations (id),
    name                text NOT NULL CHECK (name <> ''),
    code                text NOT NULL CHECK (code <> ''),
    description         text,
    -- weighted_sum_agg and custom_agg are not supported (yet): refused here as well as by the API.
    aggregation_type    text NOT NULL CHECK (aggregation_type IN ('count_agg', 'sum_agg', 'max_agg', 'unique_count_agg', 'latest_agg')),
    field_name          text,
    recurring           boolean NOT NULL DEFAULT false,
    expression          text,
    rounding_function   text CHECK (rounding_function IN ('round', 'ceil', 'floor')),
    rounding_precision  integer,
    filters             jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(filters) = 'array'),
    created_at          timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL,
    deleted_at          timestamptz,
    -- Every aggregation but counting reads one event property.
    CHECK (aggregation_type = 'count_agg' OR field_name <> ''),
    -- Lago: only sums and unique counts carry over from one period to the next.
    CHECK (NOT recurring OR aggregation_type IN ('sum_agg', 'unique_count_agg')),
    UNIQUE (organization_id, id)
);
-- A code names one live metric; deleted metrics free their code.
CREATE UNIQUE INDEX billable_metrics_code_live ON billable_metrics (organization_id, code) WHERE deleted_at IS NULL;
CREATE INDEX billable_metrics_listing ON billable_metrics (organization_id, created_at DESC, id) WHERE deleted_at IS NULL;

CREATE TABLE taxes (
    id                      uuid PRIMARY KEY,
    organization_id         uuid NOT NULL REFERENCES organizations (id),
    name                    text NOT NULL CHECK (name <> ''),
    code                    text NOT NULL CHECK (code <> ''),
    description             text,
    -- A percentage: 20 means 20 %.
    rate                    numeric(8,5) NOT NULL CHECK (rate BETWEEN 0 AND 100),
    -- The organization's default taxes, for customers, plans and charges that name none.
    applied_to_organization boolean NOT NULL DEFAULT false,
    created_at              timestamptz NOT NULL,
    updated_at              timestamptz NOT NULL,
    UNIQUE (organization_id, code),
    UNIQUE (organization_id, id)
);
CREATE INDEX taxes_listing ON taxes (organization_id, created_at DESC, id);
CREATE INDEX taxes_organization_defaults ON taxes (organization_id) WHERE applied_to_organization;

CREATE TABLE plans (
    id                      uuid PRIMARY KEY,
    organization_id         uuid NOT NULL REFERENCES organizations (id),
    name                    text NOT NULL CHECK (name <> ''),
    code                    text NOT NULL CHECK (code <> ''),
    invoice_display_name    text,
    description             text,
    "interval"              text NOT NULL CHECK ("interval" IN ('weekly', 'monthly', 'quarterly', 'semiannual', 'yearly')),
    amount_cents            bigint NOT NULL CHECK (amount_cents >= 0),
    amount_currency         text NOT NULL CHECK (amount_currency ~ '^[A-Z]{3}$'),
    -- Days of free base price; Lago allows fractions.
    trial_period            numeric(10,5) CHECK (trial_period >= 0),
    pay_in_advance          boolean NOT NULL DEFAULT false,
    -- Only yearly and semiannual plans may bill their charges monthly.
    bill_charges_monthly    boolean CHECK (NOT bill_charges_monthly OR "interval" IN ('yearly', 'semiannual')),
    created_at              timestamptz NOT NULL,
    updated_at              timestamptz NOT NULL,
    deleted_at              timestamptz,
    UNIQUE (organization_id, id)
);
CREATE UNIQUE INDEX plans_code_live ON plans (organization_id, code) WHERE deleted_at IS NULL;
CREATE INDEX plans_listing ON plans (organization_id, created_at DESC, id) WHERE deleted_at IS NULL;

CREATE TABLE charges (
    id                      uuid PRIMARY KEY,
    organization_id         uuid NOT NULL REFERENCES organizations (id),
    plan_id                 uuid NOT NULL,
    billable_metric_id      uuid NOT NULL,
    code                    text NOT NULL CHECK (code <> ''),
    charge_model            text NOT NULL CHECK (charge_model IN ('standard', 'graduated', 'package')),
    pay_in_advance          boolean NOT NULL DEFAULT false,
    invoiceable             boolean NOT NULL DEFAULT true,
    prorated                boolean NOT NULL DEFAULT false,
    regroup_paid_fees       text CHECK (regroup_paid_fees = 'invoice'),
    min_amount_cents        bigint NOT NULL DEFAULT 0 CHECK (min_amount_cents >= 0),
    invoice_display_name    text,
    -- Prices stay decimal strings inside the JSON, exactly as sent (never binary floating point).
    properties              jsonb NOT NULL CHECK (jsonb_typeof(properties) = 'object'),
    filters                 jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(filters) = 'array'),
    -- Events may name the wallet that pays this charge's fees (DESIGN.md decisions 12 and 13).
    accepts_target_wallet   boolean NOT NULL DEFAULT false,
    created_at              timestamptz NOT NULL,
    updated_at              timestamptz NOT NULL,
    deleted_at              timestamptz,
    FOREIGN KEY (organization_id, plan_id) REFERENCES plans (organization_id, id),
    FOREIGN KEY (organization_id, billable_metric_id) REFERENCES billable_metrics (organization_id, id),
    -- Lago: a minimum spend is settled at period end, so it cannot apply to fees billed as events arrive.
    CHECK (NOT pay_in_advance OR min_amount_cents = 0),
    -- Lago: paid fees can be regrouped on an invoice only when they were paid in advance and not invoiced.
    CHECK (regroup_paid_fees IS NULL OR (pay_in_advance AND NOT invoiceable)),
    UNIQUE (organization_id, id)
);
-- A charge code names one live charge of its plan (the /plans/{code}/charges/{charge_code} route).
CREATE UNIQUE INDEX charges_code_live ON charges (plan_id, code) WHERE deleted_at IS NULL;
CREATE INDEX charges_of_plan ON charges (plan_id, created_at, id) WHERE deleted_at IS NULL;
CREATE INDEX charges_of_metric ON charges (billable_metric_id) WHERE deleted_at IS NULL;

-- Taxes chosen for a customer, plan or charge; deleting a tax removes it everywhere.
CREATE TABLE customer_taxes (
    organization_id uuid NOT NULL,
    customer_id     uuid NOT NULL,
    tax_id          uuid NOT NULL,
    created_at      timestamptz NOT NULL,
    PRIMARY KEY (customer_id, tax_id),
    FOREIGN KEY (organization_id, customer_id) REFERENCES customers (organization_id, id),
    FOREIGN KEY (organization_id, tax_id) REFERENCES taxes (organization_id, id) ON DELETE CASCADE
);
CREATE INDEX customer_taxes_by_tax ON customer_taxes (tax_id);

CREATE TABLE plan_taxes (
    organization_id uuid NOT NULL,
    plan_id         uuid NOT NULL,
    tax_id          uuid NOT NULL,
    created_at      timestamptz NOT NULL,
    PRIMARY KEY (plan_id, tax_id),
    FOREIGN KEY (organization_id, plan_id) REFERENCES plans (organization_id, id),
    FOREIGN KEY (organization_id, tax_id) REFERENCES taxes (organization_id, id) ON DELETE CASCADE
);
CREATE INDEX plan_taxes_by_tax ON plan_taxes (tax_id);

CREATE TABLE charge_taxes (
    organization_id uuid NOT NULL,
    charge_id       uuid NOT NULL,
    tax_id          uuid NOT NULL,
    created_at      timestamptz NOT NULL,
    PRIMARY KEY (charge_id, tax_id),
    FOREIGN KEY (organization_id, charge_id) REFERENCES charges (organization_id, id),
    FOREIGN KEY (organization_id, tax_id) REFERENCES taxes (organization_id, id) ON DELETE CASCADE
);
CREATE INDEX charge_taxes_by_tax ON charge_taxes (tax_id);

CREATE TABLE subscriptions (
    id                  uuid PRIMARY KEY,
    organization_id     uuid NOT NULL REFERENCES organizations (id),
    customer_id         uuid NOT NULL,
    plan_id             uuid NOT NULL,
    external_id         text NOT NULL CHECK (external_id <> ''),
    name                text,
    status              text NOT NULL CHECK (status IN ('pending', 'active', 'terminated', 'canceled')),
    billing_time        text NOT NULL CHECK (billing_time IN ('calendar', 'anniversary')),
    subscription_at     timestamptz NOT NULL,
    started_at          timestamptz,
    ending_at           timestamptz,
    terminated_at       timestamptz,
    canceled_at         timestamptz,
    created_at          timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL,
    FOREIGN KEY (organization_id, customer_id) REFERENCES customers (organization_id, id),
    FOREIGN KEY (organization_id, plan_id) REFERENCES plans (organization_id, id),
    -- The timestamps tell the status: pending never started; active and terminated did; only terminated ended;
    -- only a pending subscription can be canceled.
    CHECK ((status = 'pending') = (started_at IS NULL AND canceled_at IS NULL)),
    CHECK ((status = 'terminated') = (terminated_at IS NOT NULL)),
    CHECK ((status = 'canceled') = (canceled_at IS NOT NULL)),
    CHECK (status <> 'canceled' OR started_at IS NULL),
    CHECK (ending_at > subscription_at)
);
-- One live (active or pending) subscription per external id in an organization: events find it by that id.
CREATE UNIQUE INDEX subscriptions_external_id_live ON subscriptions (organization_id, external_id) WHERE status IN ('active', 'pending');
CREATE INDEX subscriptions_listing ON subscriptions (organization_id, status, created_at DESC, id);
CREATE INDEX subscriptions_by_external_id ON subscriptions (organization_id, external_id);
CREATE INDEX subscriptions_of_customer ON subscriptions (customer_id, status, created_at DESC, id);
CREATE INDEX subscriptions_of_plan ON subscriptions (plan_id, status);
