-- Event ingestion keeps, per API process, where each external subscription id routes (Features/Events/SubscriptionRoutes.cs):
-- the active subscription, its customer, plan and start, the customer's time zone and the plan's interval. Instead of
-- looking each event's subscription up again, the ingestion statement compares one number per organization with the one
-- the route was read at. The triggers below change that number whenever anything a route holds can change, whoever
-- changes it (any API process, a job, a person with psql). Creating a subscription changes no route that exists; events
-- without a route look their subscription up every time. The triggers are deferred: the organization's row is updated
-- at commit, the last lock its transaction takes, so no transaction holds it while waiting for another lock (no
-- deadlock) and concurrent changes in one organization queue only for the commit.
ALTER TABLE organizations ADD COLUMN routes_version bigint NOT NULL DEFAULT 0;

CREATE FUNCTION organizations_routes_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE organizations SET routes_version = routes_version + 1
    WHERE id = (CASE WHEN TG_OP = 'DELETE' THEN OLD.organization_id ELSE NEW.organization_id END);
    RETURN NULL;
END
$$;

CREATE CONSTRAINT TRIGGER subscriptions_routes_changed AFTER UPDATE ON subscriptions DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.external_id IS DISTINCT FROM NEW.external_id
          OR OLD.customer_id IS DISTINCT FROM NEW.customer_id OR OLD.plan_id IS DISTINCT FROM NEW.plan_id
          OR OLD.started_at IS DISTINCT FROM NEW.started_at OR OLD.subscription_at IS DISTINCT FROM NEW.subscription_at
          OR OLD.billing_time IS DISTINCT FROM NEW.billing_time OR OLD.organization_id IS DISTINCT FROM NEW.organization_id)
    EXECUTE FUNCTION organizations_routes_changed();
CREATE CONSTRAINT TRIGGER subscriptions_routes_deleted AFTER DELETE ON subscriptions DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    EXECUTE FUNCTION organizations_routes_changed();
CREATE CONSTRAINT TRIGGER customers_routes_changed AFTER UPDATE ON customers DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (OLD.timezone IS DISTINCT FROM NEW.timezone OR OLD.deleted_at IS DISTINCT FROM NEW.deleted_at)
    EXECUTE FUNCTION organizations_routes_changed();
CREATE CONSTRAINT TRIGGER plans_routes_changed AFTER UPDATE ON plans DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (OLD."interval" IS DISTINCT FROM NEW."interval")
    EXECUTE FUNCTION organizations_routes_changed();
