// Billable metrics, plans with charges, and subscriptions, as the official Lago client drives them
// (api-contract.md §4, §5, §6).
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { ISO_UTC, UUID, expectLagoError, getLagoError, lago, ok, unique } from "./lago.mjs";

describe("billing: metric, plan with a wallet-targeting charge, subscription", () => {
  const metricCode = unique("bm");
  const planCode = unique("plan");
  const customerId = unique("cust");
  const subscriptionId = unique("sub");
  let metric; // billable_metric object from createBillableMetric
  let plan; // plan object from createPlan
  let subscription; // subscription object from createSubscription

  after(async () => {
    await lago.subscriptions.destroySubscription(subscriptionId).catch(() => {});
    await lago.plans.destroyPlan(planCode).catch(() => {});
    await lago.billableMetrics.destroyBillableMetric(metricCode).catch(() => {});
    await lago.customers.destroyCustomer(customerId).catch(() => {});
  });

  it("createBillableMetric returns 200 and the metric under `billable_metric`", async () => {
    const body = await ok(
      lago.billableMetrics.createBillableMetric({
        billable_metric: { name: "Storage", code: metricCode, aggregation_type: "sum_agg", field_name: "gb", recurring: false },
      }),
    );
    metric = body.billable_metric;
    assert.ok(metric && typeof metric === "object", `response root must be "billable_metric": ${JSON.stringify(body)}`);
    assert.match(metric.lago_id, UUID);
    assert.equal(metric.code, metricCode);
    assert.equal(metric.aggregation_type, "sum_agg");
    assert.equal(metric.field_name, "gb");
    assert.equal(metric.recurring, false);
    assert.ok(Array.isArray(metric.filters), "filters is an array");
    assert.match(metric.created_at, ISO_UTC);
  });

  it("findBillableMetric returns the same metric", async (t) => {
    if (!metric) return t.skip("the create step failed");
    const { billable_metric: found } = await ok(lago.billableMetrics.findBillableMetric(metricCode));
    assert.equal(found.lago_id, metric.lago_id);
    assert.equal(found.name, "Storage");
  });

  it("createPlan with a standard charge that accepts a target wallet shows it on the charge", async (t) => {
    if (!metric) return t.skip("the metric step failed");
    const body = await ok(
      lago.plans.createPlan({
        plan: {
          name: "Contract plan",
          code: planCode,
          interval: "monthly",
          amount_cents: 1000,
          amount_currency: "EUR",
          pay_in_advance: false,
          charges: [
            {
              billable_metric_id: metric.lago_id,
              charge_model: "standard",
              accepts_target_wallet: true,
              properties: { amount: "0.5" },
            },
          ],
        },
      }),
    );
    plan = body.plan;
    assert.ok(plan && typeof plan === "object", `response root must be "plan": ${JSON.stringify(body)}`);
    assert.match(plan.lago_id, UUID);
    assert.equal(plan.code, planCode);
    assert.equal(plan.amount_cents, 1000);
    assert.equal(plan.charges.length, 1);
    const [charge] = plan.charges;
    assert.match(charge.lago_id, UUID);
    assert.equal(charge.lago_billable_metric_id, metric.lago_id);
    assert.equal(charge.billable_metric_code, metricCode);
    assert.equal(charge.charge_model, "standard");
    assert.equal(charge.properties.amount, "0.5", "prices stay decimal strings");
    assert.equal(charge.accepts_target_wallet, true);
    assert.equal(charge.accepts_target_wallets, true);
  });

  it("findPlan and findPlanCharge show the charge still accepting a target wallet", async (t) => {
    if (!plan) return t.skip("the plan step failed");
    const { plan: found } = await ok(lago.plans.findPlan(planCode));
    assert.equal(found.charges[0].accepts_target_wallet, true);
    const { charge } = await ok(lago.plans.findPlanCharge(planCode, found.charges[0].code));
    assert.equal(charge.lago_id, plan.charges[0].lago_id);
    assert.equal(charge.accepts_target_wallet, true);
  });

  it("createSubscription assigns the plan to the customer and is active", async (t) => {
    if (!plan) return t.skip("the plan step failed");
    await ok(lago.customers.createCustomer({ customer: { external_id: customerId, name: "Contract subscriber" } }));
    const body = await ok(
      lago.subscriptions.createSubscription({
        subscription: { external_customer_id: customerId, plan_code: planCode, external_id: subscriptionId, name: "Main" },
      }),
    );
    subscription = body.subscription;
    assert.ok(subscription && typeof subscription === "object", `response root must be "subscription": ${JSON.stringify(body)}`);
    assert.match(subscription.lago_id, UUID);
    assert.equal(subscription.external_id, subscriptionId);
    assert.equal(subscription.external_customer_id, customerId);
    assert.equal(subscription.plan_code, planCode);
    assert.equal(subscription.status, "active");
    assert.equal(subscription.billing_time, "calendar");
    assert.match(subscription.started_at, ISO_UTC);
    assert.match(subscription.current_billing_period_started_at, ISO_UTC);
    assert.match(subscription.current_billing_period_ending_at, ISO_UTC);
  });

  it("findSubscription returns it", async (t) => {
    if (!subscription) return t.skip("the subscription step failed");
    const { subscription: found } = await ok(lago.subscriptions.findSubscription(subscriptionId));
    assert.equal(found.lago_id, subscription.lago_id);
    assert.equal(found.name, "Main");
  });

  it("destroySubscription terminates it; then findSubscription is a 404 read with getLagoError", async (t) => {
    if (!subscription) return t.skip("the subscription step failed");
    const { subscription: ended } = await ok(lago.subscriptions.destroySubscription(subscriptionId));
    assert.equal(ended.lago_id, subscription.lago_id);
    assert.equal(ended.status, "terminated");
    assert.match(ended.terminated_at, ISO_UTC);

    const error = await lago.subscriptions.findSubscription(subscriptionId).then(
      () => assert.fail("a terminated subscription is not found without ?status=terminated"),
      (response) => getLagoError(response),
    );
    assert.deepEqual(error, { status: 404, error: "Not Found", code: "subscription_not_found" });

    const { subscription: terminated } = await ok(lago.subscriptions.findSubscription(subscriptionId, { status: "terminated" }));
    assert.equal(terminated.status, "terminated");
  });

  it("unknown plans and metrics are Lago's 404s", async () => {
    await expectLagoError(lago.plans.findPlan(unique("nope")), 404, "plan_not_found");
    await expectLagoError(lago.billableMetrics.findBillableMetric(unique("nope")), 404, "billable_metric_not_found");
    await expectLagoError(
      lago.subscriptions.createSubscription({
        subscription: { external_customer_id: customerId, plan_code: unique("nope"), external_id: unique("sub") },
      }),
      404,
      "plan_not_found",
    );
  });
});
