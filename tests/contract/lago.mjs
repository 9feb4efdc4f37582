// Shared harness for the contract suites: an official lago-javascript-client
// pointed at the server under test, plus small assertion helpers.
//
//   LAGO_API_URL  base URL including /api/v1, e.g. http://127.0.0.1:5080/api/v1
//   LAGO_API_KEY  organization API key (sent as "Authorization: Bearer <key>")
//   LAGO_TIMEOUT_MS  optional per-request timeout, default 15000
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { Client, getLagoError } from "lago-javascript-client";

export { getLagoError };

function requireEnv(name, example) {
  const value = process.env[name];
  if (!value || !value.trim()) {
    // Thrown at import time: every suite fails immediately with this message.
    throw new Error(
      `Contract tests: environment variable ${name} is not set (e.g. ${name}=${example}). ` +
        "See tests/contract/README.md.",
    );
  }
  return value.trim();
}

// The client builds URLs as `${baseUrl}${path}` (path starts with "/"), so a
// trailing slash would produce "//customers".
export const apiUrl = requireEnv("LAGO_API_URL", "http://127.0.0.1:5080/api/v1").replace(/\/+$/, "");
export const apiKey = requireEnv("LAGO_API_KEY", "<api key of the test organization>");
const timeoutMs = Number(process.env.LAGO_TIMEOUT_MS ?? 15000);

// Wraps fetch with a timeout and turns transport failures ("fetch failed")
// into a message that says which URL could not be reached.
async function contractFetch(url, init = {}) {
  try {
    return await fetch(url, { ...init, signal: init.signal ?? AbortSignal.timeout(timeoutMs) });
  } catch (e) {
    const why = e?.cause?.code ?? e?.cause?.message ?? e?.name ?? String(e);
    throw new Error(`${init.method ?? "GET"} ${url} got no HTTP response (${why}); is the server running at ${apiUrl}?`, {
      cause: e,
    });
  }
}

/** A client for `key` (empty string = no Authorization header) against LAGO_API_URL. */
export function makeClient(key) {
  return Client(key, { baseUrl: apiUrl, customFetch: contractFetch });
}

/** The client authenticated with LAGO_API_KEY. */
export const lago = makeClient(apiKey);

// One id per process (each test file runs in its own process) plus a counter:
// several runs share one organization, so every external_id/code must be new.
const runId = `${Date.now().toString(36)}${randomBytes(3).toString("hex")}`;
let counter = 0;

/** A URL-safe id unique to this run, e.g. unique("cust") -> "cust_lz3k9q1a2b3c_1". */
export function unique(prefix) {
  counter += 1;
  return `${prefix}_${runId}_${counter}`;
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// Lago renders timestamps as ISO 8601 UTC with a "Z" suffix (events add milliseconds).
export const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

function describeResponse(res) {
  const body = res.error ?? res.data;
  const shown = body instanceof Error ? `<unparseable body: ${body.message}>` : JSON.stringify(body);
  return `HTTP ${res.status} from ${res.url}: ${shown}`;
}

function isResponse(value) {
  return value != null && typeof value.status === "number" && typeof value.headers === "object" && "ok" in value;
}

/**
 * Awaits a client call that must succeed and returns its parsed body (`res.data`).
 * On an HTTP error the client throws the raw Response; this rethrows it as an
 * Error whose message carries status, URL and body.
 */
export async function ok(promise) {
  let res;
  try {
    res = await promise;
  } catch (e) {
    if (isResponse(e)) {
      throw new Error(`expected a 2xx response, got ${describeResponse(e)}`);
    }
    throw e;
  }
  assert.equal(res.status, 200, `expected HTTP 200, got ${describeResponse(res)}`);
  assert.ok(
    res.data !== null && typeof res.data === "object",
    `expected a JSON object body, got ${describeResponse(res)}`,
  );
  return res.data;
}

/**
 * Awaits a client call that must fail with HTTP `status`, reads the error body
 * with the client's own getLagoError, asserts body.status === status and (when
 * `code` is given) body.code === code. Returns the error body.
 */
export async function expectLagoError(promise, status, code) {
  const expected = `HTTP ${status}${code ? ` ${code}` : ""}`;
  const outcome = await promise.then(
    (res) => ({ res }),
    (err) => ({ err }),
  );
  if (outcome.res) {
    assert.fail(`expected ${expected} but the call succeeded: ${describeResponse(outcome.res)}`);
  }
  const err = outcome.err;
  if (!isResponse(err)) {
    // Transport failure or a bug in the test itself.
    throw err;
  }
  const body = await getLagoError(err);
  if (body === null || typeof body !== "object" || body instanceof Error) {
    assert.fail(
      `expected ${expected} with a JSON error body, got HTTP ${err.status} from ${err.url} with ` +
        (body instanceof Error ? `an empty or non-JSON body (${body.message})` : `body ${JSON.stringify(body)}`),
    );
  }
  const where = `${describeResponse({ status: err.status, url: err.url, error: body })}`;
  assert.equal(err.status, status, `expected ${expected}, got ${where}`);
  assert.equal(body.status, status, `error body "status" should be ${status}: ${where}`);
  assert.equal(typeof body.error, "string", `error body should have an "error" string: ${where}`);
  if (code !== undefined && code !== null) {
    assert.equal(body.code, code, `expected error code "${code}", got ${where}`);
  }
  return body;
}
