// Wallet alerts, as the official Lago client drives them (customers.*CustomerWalletAlert*): create one or a batch,
// read, list, update, delete one and all; Lago's 422 on an invalid alert.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { ISO_UTC, UUID, expectLagoError, lago, ok, unique } from "./lago.mjs";

const ALERT_KEYS = [
  "lago_id", "lago_organization_id", "external_subscription_id", "lago_wallet_id", "wallet_code", "billable_metric",
  "alert_type", "code", "name", "direction", "previous_value", "last_processed_at", "thresholds", "created_at",
];

describe("wallet alerts", () => {
  const externalId = unique("acust");
  const code = unique("alerted");
  let wallet;

  after(async () => {
    if (wallet) await lago.wallets.destroyWallet(wallet.lago_id).catch(() => {});
    await lago.customers.destroyCustomer(externalId).catch(() => {});
  });

  it("createCustomerWalletAlert creates a decreasing alert seeded with the wallet's balance", async () => {
    await ok(lago.customers.createCustomer({ customer: { external_id: externalId, currency: "USD" } }));
    ({ wallet } = await ok(lago.customers.createCustomerWallet(externalId, {
      wallet: { rate_amount: "1", currency: "USD", code, granted_credits: "50" },
    })));
    const { alert } = await ok(lago.customers.createCustomerWalletAlert(externalId, code, {
      alert: { alert_type: "wallet_balance_amount", code: "low", name: "Low", thresholds: [{ code: "warn", value: 1000 }] },
    }));
    for (const key of ALERT_KEYS) assert.ok(key in alert, `alert has ${key}: ${JSON.stringify(alert)}`);
    assert.match(alert.lago_id, UUID);
    assert.match(alert.created_at, ISO_UTC);
    assert.deepEqual([alert.lago_wallet_id, alert.wallet_code, alert.direction, alert.previous_value],
      [wallet.lago_id, code, "decreasing", "5000.0"]);
    assert.deepEqual(alert.thresholds, [{ code: "warn", value: "1000.0", recurring: false }]);
  });

  it("a batch creates several alerts at once, and an invalid one is Lago's 422", async (t) => {
    if (!wallet) return t.skip("the create step failed");
    const { alerts } = await ok(lago.customers.createCustomerWalletAlert(externalId, code, {
      alerts: [{ alert_type: "wallet_credits_balance", code: "credits", thresholds: [{ value: "10" }, { value: "5", recurring: true }] }],
    }));
    assert.deepEqual(alerts.map((a) => [a.code, a.alert_type]), [["credits", "wallet_credits_balance"]]);
    const error = await expectLagoError(lago.customers.createCustomerWalletAlert(externalId, code, {
      alert: { alert_type: "wallet_balance_amount", code: "other", thresholds: [{ value: 1 }] },
    }), 422, "validation_errors");
    assert.deepEqual(error.error_details, { base: ["alert_already_exists"] });
  });

  it("get, list, update and delete", async (t) => {
    if (!wallet) return t.skip("the create step failed");
    const { alert } = await ok(lago.customers.getCustomerWalletAlert(externalId, code, "low"));
    assert.equal(alert.name, "Low");
    const list = await ok(lago.customers.getCustomerWalletAlerts(externalId, code));
    assert.deepEqual(list.alerts.map((a) => a.code).sort(), ["credits", "low"]);
    const { alert: updated } = await ok(lago.customers.updateCustomerWalletAlert(externalId, code, "low", {
      alert: { name: "Lower", thresholds: [{ value: 2000 }] },
    }));
    assert.deepEqual([updated.name, updated.thresholds.map((x) => x.value)], ["Lower", ["2000.0"]]);
    const { alert: deleted } = await ok(lago.customers.deleteCustomerWalletAlert(externalId, code, "low"));
    assert.equal(deleted.code, "low");
    await expectLagoError(lago.customers.getCustomerWalletAlert(externalId, code, "low"), 404, "alert_not_found");
    await lago.customers.deleteAllCustomerWalletAlerts(externalId, code);
    assert.deepEqual((await ok(lago.customers.getCustomerWalletAlerts(externalId, code))).alerts, []);
  });
});
