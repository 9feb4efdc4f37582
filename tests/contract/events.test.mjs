// Usage events, current usage and the real-time wallet balance, as the official Lago client drives them
// (api-contract.md §3 current usage, §7 events; behavior.md §3.6 event targeting, §4.3 ongoing balance;
// DESIGN.md 13 and 14).
//
// Money in this file: the plan is EUR, the metric `gb` (sum_agg of properties.gb) is charged 1.00 per GB,
// and the wallets have rate_amount "1", so 1 credit = 1.00 EUR = 100 cents.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { ISO_UTC, UUID, expectLagoError, lago, ok, unique } from "./lago.mjs";

const EVENT_KEYS = [
  "lago_id", "transaction_id", "lago_customer_id", "code", "timestamp", "precise_total_amount_cents", "properties",
  "lago_subscription_id", "external_subscription_id", "created_at",
];
const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const json = (value) => JSON.stringify(value);

describe("events: metric, targeting plan, subscription, events, current usage, ongoing wallet balance", () => {
  const metricCode = unique("gb");
  const planCode = unique("plan");
  const customerId = unique("cust");
  const subscriptionId = unique("sub");
  const walletCode = unique("team");
  let metric;
  let plan;
  let subscription;
  let mainWallet; // priority 1, unrestricted, 10 credits
  let teamWallet; // priority 2, 10 credits, the target of some events
  let single; // the event from createEvent

  after(async () => {
    for (const wallet of [mainWallet, teamWallet]) if (wallet) await lago.wallets.destroyWallet(wallet.lago_id).catch(() => {});
    await lago.subscriptions.destroySubscription(subscriptionId).catch(() => {});
    await lago.plans.destroyPlan(planCode).catch(() => {});
    await lago.billableMetrics.destroyBillableMetric(metricCode).catch(() => {});
    await lago.customers.destroyCustomer(customerId).catch(() => {});
  });

  it("createBillableMetric, createPlan (charge accepting a target wallet) and createSubscription", async () => {
    ({ billable_metric: metric } = await ok(
      lago.billableMetrics.createBillableMetric({
        billable_metric: { name: "Storage", code: metricCode, aggregation_type: "sum_agg", field_name: "gb" },
      }),
    ));
    assert.match(metric.lago_id, UUID);
    ({ plan } = await ok(
      lago.plans.createPlan({
        plan: {
          name: "Usage plan", code: planCode, interval: "monthly", amount_cents: 0, amount_currency: "EUR", pay_in_advance: false,
          charges: [{ billable_metric_id: metric.lago_id, charge_model: "standard", accepts_target_wallet: true, properties: { amount: "1" } }],
        },
      }),
    ));
    assert.equal(plan.charges[0].accepts_target_wallet, true);
    ({ subscription } = await ok(
      lago.subscriptions.createSubscription({
        subscription: { external_customer_id: customerId, plan_code: planCode, external_id: subscriptionId },
      }),
    ));
    assert.equal(subscription.status, "active");
  });

  it("createWallet twice: a main wallet first in line and a team wallet events can target", async (t) => {
    if (!subscription) return t.skip("the setup step failed");
    ({ wallet: mainWallet } = await ok(
      lago.wallets.createWallet({
        wallet: { external_customer_id: customerId, name: "Main", rate_amount: "1", currency: "EUR", granted_credits: "10", priority: 1 },
      }),
    ));
    ({ wallet: teamWallet } = await ok(
      lago.wallets.createWallet({
        wallet: { external_customer_id: customerId, name: "Team", code: walletCode, rate_amount: "1", currency: "EUR", granted_credits: "10", priority: 2 },
      }),
    ));
    for (const w of [mainWallet, teamWallet]) {
      assert.equal(w.balance_cents, 1000);
      assert.equal(w.ongoing_usage_balance_cents, 0);
      assert.equal(w.ongoing_balance_cents, 1000);
    }
  });

  it("createEvent answers Lago's event object, and the main wallet's ongoing balance moves at once", async (t) => {
    if (!mainWallet) return t.skip("the wallet step failed");
    const transactionId = unique("tx");
    const body = await ok(
      lago.events.createEvent({
        event: { transaction_id: transactionId, external_subscription_id: subscriptionId, code: metricCode, properties: { gb: 3 } },
      }),
    );
    single = body.event;
    assert.ok(single && typeof single === "object", `response root must be "event": ${json(body)}`);
    for (const key of EVENT_KEYS) assert.ok(key in single, `event lacks "${key}": ${json(single)}`);
    assert.match(single.lago_id, UUID);
    assert.equal(single.transaction_id, transactionId);
    assert.equal(single.code, metricCode);
    assert.match(single.timestamp, ISO_MS, "event timestamps carry milliseconds");
    assert.match(single.created_at, ISO_UTC);
    assert.deepEqual(single.properties, { gb: 3 });
    assert.equal(single.lago_subscription_id, subscription.lago_id);
    assert.equal(single.external_subscription_id, subscriptionId);

    const { wallet } = await ok(lago.wallets.findWallet(mainWallet.lago_id));
    assert.equal(wallet.ongoing_usage_balance_cents, 300);
    assert.equal(wallet.ongoing_balance_cents, 700);
    assert.equal(wallet.credits_ongoing_usage_balance, "3.0");
    assert.equal(wallet.credits_ongoing_balance, "7.0");
  });

  it("createEvent again with the same transaction_id is Lago's 422 value_already_exist", async (t) => {
    if (!single) return t.skip("the event step failed");
    const error = await expectLagoError(
      lago.events.createEvent({
        event: { transaction_id: single.transaction_id, external_subscription_id: subscriptionId, code: metricCode, properties: { gb: 50 } },
      }),
      422,
      "validation_errors",
    );
    assert.deepEqual(error.error_details, { transaction_id: ["value_already_exist"] });
  });

  it("createBatchEvents stores a batch; targeted events draw only on the team wallet", async (t) => {
    if (!single) return t.skip("the event step failed");
    const events = [
      { transaction_id: unique("tx"), external_subscription_id: subscriptionId, code: metricCode, properties: { gb: 2, target_wallet_code: walletCode } },
      { transaction_id: unique("tx"), external_subscription_id: subscriptionId, code: metricCode, properties: { gb: "1.5" }, timestamp: Math.floor(Date.now() / 1000) },
      { transaction_id: unique("tx"), external_subscription_id: subscriptionId, code: metricCode, properties: { gb: 1, target_wallet_code: unique("nobody") } },
    ];
    const body = await ok(lago.events.createBatchEvents({ events }));
    assert.ok(Array.isArray(body.events), `response root must be "events": ${json(body)}`);
    assert.deepEqual(body.events.map((e) => e.transaction_id), events.map((e) => e.transaction_id));

    const { wallet: main } = await ok(lago.wallets.findWallet(mainWallet.lago_id));
    const { wallet: team } = await ok(lago.customers.findCustomerWallet(customerId, walletCode));
    // Untargeted 4.5 GB go to the main wallet; the team wallet's 2 GB only to it; 1 GB naming no wallet to nobody.
    assert.equal(main.ongoing_usage_balance_cents, 450);
    assert.equal(team.ongoing_usage_balance_cents, 200);
    assert.equal(team.ongoing_balance_cents, 800);
  });

  it("createBatchEvents refuses an empty batch and a batch with a stored transaction_id, storing none", async (t) => {
    if (!single) return t.skip("the event step failed");
    const empty = await expectLagoError(lago.events.createBatchEvents({ events: [] }), 422, "validation_errors");
    assert.deepEqual(empty.error_details, { events: ["no_events"] });
    const fresh = unique("tx");
    const duplicate = await expectLagoError(
      lago.events.createBatchEvents({
        events: [
          { transaction_id: fresh, external_subscription_id: subscriptionId, code: metricCode, properties: { gb: 100 } },
          { transaction_id: single.transaction_id, external_subscription_id: subscriptionId, code: metricCode, properties: { gb: 100 } },
        ],
      }),
      422,
      "validation_errors",
    );
    assert.deepEqual(duplicate.error_details, { 1: { transaction_id: ["value_already_exist"] } });
    await expectLagoError(lago.events.findEvent(fresh), 404, "event_not_found");
  });

  it("findEvent and findAllEvents return the stored events", async (t) => {
    if (!single) return t.skip("the event step failed");
    const { event } = await ok(lago.events.findEvent(single.transaction_id));
    assert.equal(event.lago_id, single.lago_id);
    assert.equal(event.timestamp, single.timestamp);
    const { events, meta } = await ok(lago.events.findAllEvents({ external_subscription_id: subscriptionId, per_page: 10, page: 1 }));
    assert.equal(meta.total_count, 4);
    assert.ok(events.every((e) => e.external_subscription_id === subscriptionId));
  });

  it("findCustomerCurrentUsage shows the units, the amount and one group per target wallet", async (t) => {
    if (!single) return t.skip("the event step failed");
    const body = await ok(lago.customers.findCustomerCurrentUsage(customerId, { external_subscription_id: subscriptionId }));
    const usage = body.customer_usage;
    assert.ok(usage && typeof usage === "object", `response root must be "customer_usage": ${json(body)}`);
    assert.match(usage.from_datetime, ISO_UTC);
    assert.match(usage.to_datetime, ISO_UTC);
    assert.match(usage.issuing_date, /^\d{4}-\d{2}-\d{2}$/);
    assert.equal(usage.lago_invoice_id, null);
    assert.equal(usage.currency, "EUR");
    assert.equal(usage.amount_cents, 750);
    assert.equal(usage.total_amount_cents, 750);
    const [charge] = usage.charges_usage;
    assert.equal(charge.units, "7.5");
    assert.equal(charge.events_count, 4);
    assert.equal(charge.amount_cents, 750);
    assert.equal(charge.charge.lago_id, plan.charges[0].lago_id);
    assert.equal(charge.billable_metric.code, metricCode);
    assert.equal(charge.billable_metric.aggregation_type, "sum_agg");
    const groups = Object.fromEntries(charge.grouped_usage.map((g) => [g.grouped_by.target_wallet_code ?? "", g.amount_cents]));
    assert.equal(groups[walletCode], 200);
    assert.equal(groups[""], 450);
    assert.equal(Object.keys(groups).length, 3);
  });

  it("findCustomerCurrentUsage without an active subscription is Lago's 405, an unknown customer a 404", async () => {
    await expectLagoError(lago.customers.findCustomerCurrentUsage(customerId, { external_subscription_id: unique("nope") }), 405, "no_active_subscription");
    await expectLagoError(lago.customers.findCustomerCurrentUsage(unique("nobody"), { external_subscription_id: subscriptionId }), 404, "customer_not_found");
  });
});
