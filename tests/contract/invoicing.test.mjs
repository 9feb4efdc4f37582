// Subscription invoices paid with prepaid credits, as the official Lago client reads them (api-contract.md §10).
// No usage is needed: terminating a subscription bills its period so far in the same request (the server's
// billing job bills ended periods on its own, which a test cannot wait for), and the wallet pays that invoice.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { UUID, lago, ok, unique } from "./lago.mjs";

describe("invoicing: a subscription invoice paid by a wallet", () => {
  const planCode = unique("plan");
  const customerId = unique("cust");
  const subscriptionId = unique("sub");
  let invoice; // the subscription invoice from findAllInvoices

  after(async () => {
    await lago.plans.destroyPlan(planCode).catch(() => {});
    await lago.customers.destroyCustomer(customerId).catch(() => {});
  });

  it("terminating a subscription issues its invoice, which findAllInvoices lists with the credits applied", async () => {
    await ok(lago.plans.createPlan({
      plan: { name: "Monthly", code: planCode, interval: "monthly", amount_cents: 310_000, amount_currency: "EUR", pay_in_advance: false },
    }));
    await ok(lago.customers.createCustomer({ customer: { external_id: customerId, currency: "EUR" } }));
    await ok(lago.wallets.createWallet({
      wallet: { external_customer_id: customerId, rate_amount: "1", currency: "EUR", granted_credits: "5", code: "main" },
    }));
    const now = new Date();
    const monthStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)).toISOString().replace(".000Z", "Z");
    await ok(lago.subscriptions.createSubscription({
      subscription: { external_customer_id: customerId, plan_code: planCode, external_id: subscriptionId, subscription_at: monthStart },
    }));
    await ok(lago.subscriptions.destroySubscription(subscriptionId));

    const { invoices, meta } = await ok(lago.invoices.findAllInvoices({ external_customer_id: customerId, invoice_type: "subscription" }));
    assert.equal(meta.total_count, 1);
    invoice = invoices[0];
    assert.match(invoice.lago_id, UUID);
    assert.equal(invoice.invoice_type, "subscription");
    assert.equal(invoice.status, "finalized");
    // At least one started day of a 310-euro month is more than the wallet's 5 euros: the wallet pays 500 cents.
    assert.equal(invoice.prepaid_credit_amount_cents, 500);
    assert.equal(invoice.prepaid_granted_credit_amount_cents, 500);
    assert.equal(invoice.prepaid_purchased_credit_amount_cents, null);
    assert.equal(invoice.total_amount_cents, invoice.sub_total_including_taxes_amount_cents - 500);
    assert.equal(invoice.payment_status, "pending");
  });

  it("findInvoice shows the same invoice, its subscription and its subscription fee", async (t) => {
    if (!invoice) return t.skip("the billing step failed");
    const { invoice: found } = await ok(lago.invoices.findInvoice(invoice.lago_id));
    assert.deepEqual(found, invoice);
    assert.equal(found.subscriptions[0].external_id, subscriptionId);
    const fee = found.fees.find((f) => f.item.type === "subscription");
    assert.ok(fee, `no subscription fee in ${JSON.stringify(found.fees)}`);
    assert.equal(fee.item.code, planCode);
    assert.equal(fee.external_subscription_id, subscriptionId);
    assert.equal(fee.amount_cents, found.fees_amount_cents);
  });
});
