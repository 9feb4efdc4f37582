// Customers, as the official Lago client drives them (api-contract.md §1, §3).
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { ISO_UTC, UUID, expectLagoError, lago, makeClient, ok, unique } from "./lago.mjs";

const PAGINATION_KEYS = ["current_page", "next_page", "prev_page", "total_pages", "total_count"];

function assertNullableInt(value, what) {
  assert.ok(value === null || Number.isInteger(value), `${what} should be an integer or null, got ${JSON.stringify(value)}`);
}

describe("customers: create, upsert, read, list, delete", () => {
  const externalId = unique("cust");
  const email = `${externalId}@example.test`;
  let created; // customer object returned by the first create
  let deleted = false;

  after(async () => {
    if (created && !deleted) await lago.customers.destroyCustomer(externalId).catch(() => {});
  });

  it("createCustomer returns 200 and the new customer under `customer`", async () => {
    const body = await ok(
      lago.customers.createCustomer({
        customer: {
          external_id: externalId,
          name: "Contract Test SAS",
          email,
          currency: "EUR",
          timezone: "Europe/Paris",
          metadata: [{ key: "origin", value: "contract-test", display_in_invoice: false }],
        },
      }),
    );
    const c = body.customer;
    assert.ok(c && typeof c === "object", `response root must be "customer": ${JSON.stringify(body)}`);
    assert.match(c.lago_id, UUID, "lago_id is a UUID");
    created = c; // later steps only need the customer to exist
    assert.equal(c.external_id, externalId);
    assert.equal(c.name, "Contract Test SAS");
    assert.equal(c.email, email);
    assert.equal(c.currency, "EUR");
    assert.equal(c.timezone, "Europe/Paris");
    assert.match(c.created_at, ISO_UTC, "created_at is ISO 8601 UTC");
  });

  it("createCustomer metadata comes back as [{lago_id, key, value, display_in_invoice, created_at}]", (t) => {
    if (!created) return t.skip("the create step failed");
    assert.ok(Array.isArray(created.metadata), `metadata should be an array, got ${JSON.stringify(created.metadata)}`);
    assert.equal(created.metadata.length, 1);
    const [m] = created.metadata;
    assert.match(m.lago_id, UUID, "metadata lago_id is a UUID");
    assert.equal(m.key, "origin");
    assert.equal(m.value, "contract-test");
    assert.equal(m.display_in_invoice, false);
    assert.match(m.created_at, ISO_UTC, "metadata created_at is ISO 8601 UTC");
  });

  it("createCustomer with an existing external_id updates it (upsert, same lago_id)", async (t) => {
    if (!created) return t.skip("the create step failed");
    const body = await ok(
      lago.customers.createCustomer({ customer: { external_id: externalId, name: "Contract Test Renamed" } }),
    );
    const c = body.customer;
    assert.equal(c.lago_id, created.lago_id, "upsert must not create a second customer");
    assert.equal(c.external_id, externalId);
    assert.equal(c.name, "Contract Test Renamed");
    // Attributes absent from the update body are left alone.
    assert.equal(c.email, email);
    assert.equal(c.currency, "EUR");
    assert.equal(c.timezone, "Europe/Paris");
  });

  it("findCustomer returns the updated customer", async (t) => {
    if (!created) return t.skip("the create step failed");
    const { customer: c } = await ok(lago.customers.findCustomer(externalId));
    assert.equal(c.lago_id, created.lago_id);
    assert.equal(c.external_id, externalId);
    assert.equal(c.name, "Contract Test Renamed");
    assert.equal(c.email, email);
    assert.equal(c.currency, "EUR");
    assert.equal(c.timezone, "Europe/Paris");
  });

  it("findAllCustomers({page: 1, per_page: 2}) returns `customers` and a consistent `meta`", async (t) => {
    if (!created) return t.skip("the create step failed");
    const body = await ok(lago.customers.findAllCustomers({ page: 1, per_page: 2 }));
    assert.ok(Array.isArray(body.customers), `"customers" should be an array: ${JSON.stringify(body)}`);
    const { meta } = body;
    assert.ok(meta && typeof meta === "object", `"meta" missing: ${JSON.stringify(body)}`);
    assert.deepEqual(Object.keys(meta).sort(), [...PAGINATION_KEYS].sort(), "meta keys");

    // Our customer exists, so the organization has at least one.
    assert.ok(Number.isInteger(meta.total_count) && meta.total_count >= 1, `total_count ${meta.total_count}`);
    assert.equal(meta.current_page, 1);
    assert.equal(meta.prev_page, null);
    assert.equal(meta.total_pages, Math.ceil(meta.total_count / 2), "total_pages = ceil(total_count / per_page)");
    assertNullableInt(meta.next_page, "next_page");
    assert.equal(meta.next_page, meta.total_pages > 1 ? 2 : null);
    assert.equal(body.customers.length, Math.min(2, meta.total_count), "per_page is honoured");
    for (const c of body.customers) {
      assert.match(c.lago_id, UUID);
      assert.equal(typeof c.external_id, "string");
    }
  });

  it("destroyCustomer returns 200 and the deleted customer", async (t) => {
    if (!created) return t.skip("the create step failed");
    const { customer: c } = await ok(lago.customers.destroyCustomer(externalId));
    deleted = true;
    assert.equal(c.lago_id, created.lago_id);
    assert.equal(c.external_id, externalId);
  });

  it("findCustomer of the deleted customer → 404 customer_not_found", async (t) => {
    if (!deleted) return t.skip("the destroy step failed");
    const body = await expectLagoError(lago.customers.findCustomer(externalId), 404, "customer_not_found");
    assert.equal(body.error, "Not Found");
  });
});

describe("customers: errors", () => {
  it("findCustomer of an unknown external_id → 404 {status, error: 'Not Found', code: 'customer_not_found'}", async () => {
    const body = await expectLagoError(lago.customers.findCustomer(unique("nobody")), 404, "customer_not_found");
    assert.deepEqual(body, { status: 404, error: "Not Found", code: "customer_not_found" });
  });

  it("destroyCustomer of an unknown external_id → 404 customer_not_found", async () => {
    await expectLagoError(lago.customers.destroyCustomer(unique("nobody")), 404, "customer_not_found");
  });

  it("a wrong API key → 401 {status: 401, error: 'Unauthorized'} (no code)", async () => {
    const intruder = makeClient(`wrong_${unique("key")}`);
    const body = await expectLagoError(intruder.customers.findAllCustomers({ page: 1 }), 401);
    assert.deepEqual(body, { status: 401, error: "Unauthorized" });
  });

  it("no API key at all → 401 {status: 401, error: 'Unauthorized'}", async () => {
    const anonymous = makeClient(""); // the client then sends no Authorization header
    const body = await expectLagoError(anonymous.customers.findCustomer(unique("nobody")), 401);
    assert.deepEqual(body, { status: 401, error: "Unauthorized" });
  });

  it("createCustomer with currency 'XXX-not' → 422 validation_errors, error_details.currency has value_is_invalid", async () => {
    const externalId = unique("badcur");
    try {
      const body = await expectLagoError(
        lago.customers.createCustomer({ customer: { external_id: externalId, name: "Bad currency", currency: "XXX-not" } }),
        422,
        "validation_errors",
      );
      assert.equal(body.error, "Unprocessable Entity");
      assert.ok(body.error_details && typeof body.error_details === "object", `error_details: ${JSON.stringify(body)}`);
      assert.ok(Array.isArray(body.error_details.currency), `error_details.currency: ${JSON.stringify(body)}`);
      assert.ok(body.error_details.currency.includes("value_is_invalid"), `error_details.currency: ${JSON.stringify(body)}`);
    } finally {
      // Should not exist; clean up in case the server accepted it anyway.
      await lago.customers.destroyCustomer(externalId).catch(() => {});
    }
  });

  it("createCustomer without the `customer` root key → 400 BadRequest", async () => {
    const body = await expectLagoError(lago.customers.createCustomer({ external_id: unique("noroot") }), 400);
    assert.match(body.error, /^BadRequest/);
  });
});
