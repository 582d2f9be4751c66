import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../src/config';
import { createLogger, type Logger } from '../../src/logger';
import type { RateProvider } from '../../src/rates';
import { startSystem, type Part, type SystemHandle } from '../../src/system';
import type { Tracing } from '../../src/telemetry/tracing';

export const ADMIN_KEY = 'admin_test_Key_0123456789abcdefXYZ-qrstuvw';

/** A started system plus HTTP helpers for tests. */
export interface TestSystem extends SystemHandle {
  baseUrl: string;
  taskQueue: string;
}

/**
 * Starts the whole system (API, worker, watcher) against the run's shared PostgreSQL and Temporal,
 * on its own task queue, so test files never steal each other's workflow tasks.
 */
export async function startTestSystem(env: Record<string, string> = {}, opts: { rates?: RateProvider; parts?: Part[]; log?: Logger; tracing?: Tracing | null } = {}): Promise<TestSystem> {
  const taskQueue = `test-${randomBytes(6).toString('hex')}`;
  const dataDir = path.join(process.env.CHECKOUT_TEST_DIR!, taskQueue);
  fs.mkdirSync(dataDir, { recursive: true });
  const config = loadConfig({
    DATABASE_URL: process.env.CHECKOUT_TEST_DATABASE_URL,
    TEMPORAL_ADDRESS: process.env.CHECKOUT_TEST_TEMPORAL_ADDRESS,
    TEMPORAL_TASK_QUEUE: taskQueue,
    PORT: '0',
    PUBLIC_URL: 'http://checkout.test',
    DATA_DIR: dataDir,
    ADMIN_API_KEY: ADMIN_KEY,
    CHECKOUT_MIN_TTL_SECONDS: '1',
    // The API's Temporal call deadline (5 s by default, then a 503) sized for a loaded 2-core CI box, where a
    // cold resume run can take longer; tests of the 503 itself set their own.
    TEMPORAL_CALL_TIMEOUT_MS: '30000',
    // The tests' webhook receivers listen on 127.0.0.1 (test/api/securityWebhooks.test.ts runs without this).
    WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
    // Their LNURL / Lightning Address servers too (test/api/payouts.test.ts checks the default refuses them).
    PAYOUT_LNURL_ALLOW_PRIVATE_NETWORKS: 'true',
    // A test's stop does not wait for in-flight activities (production waits WORKER_SHUTDOWN_GRACE_SECONDS).
    WORKER_SHUTDOWN_GRACE_SECONDS: '0',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ...env,
  });
  const system = await startSystem(config, opts.log ?? createLogger(config.logLevel), {
    // The shared bundle is the untraced one production runs by default; a traced system bundles its own with the interceptors.
    workflowBundlePath: opts.tracing ? undefined : process.env.CHECKOUT_TEST_BUNDLE, rates: opts.rates, parts: opts.parts, tracing: opts.tracing ?? null,
  });
  return { ...system, baseUrl: system.url ?? '', taskQueue };
}

/** A JSON response: status, body and headers. */
export interface JsonResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

/** Calls the API with a secret key (HTTP Basic, empty password). */
export async function call<T = any>(
  baseUrl: string, key: string | null, method: string, route: string, body?: unknown, headers: Record<string, string> = {},
): Promise<JsonResponse<T>> {
  const res = await fetch(`${baseUrl}${route}`, {
    method,
    headers: {
      ...(key ? { authorization: `Basic ${Buffer.from(`${key}:`).toString('base64')}` } : {}),
      // Every API POST declares JSON, even without a body (a POST without it is a 415).
      ...(body !== undefined || method === 'POST' ? { 'content-type': 'application/json' } : {}),
      ...headers,
    },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
}

/** Creates a merchant account through the admin API; returns its ID and test key. */
export async function createMerchant(baseUrl: string, body: Record<string, unknown> = {}): Promise<{ id: string; key: string }> {
  const res = await call(baseUrl, ADMIN_KEY, 'POST', '/accounts', { name: 'Test merchant', ...body });
  if (res.status !== 200) throw new Error(`account creation failed: ${JSON.stringify(res.body)}`);
  return { id: res.body.id, key: res.body.secret_key };
}

/** A new merchant with one test-mode session of `sats` paid over Lightning (its balance: `sats` less the fee), and that session. */
export async function paidMerchant(baseUrl: string, sats: number): Promise<{ m: { id: string; key: string }; cs: any }> {
  const m = await createMerchant(baseUrl);
  const cs = (await call(baseUrl, m.key, 'POST', '/checkout-sessions', { currency: 'SATS', amount: sats })).body;
  await call(baseUrl, m.key, 'POST', `/test-helpers/payments/${cs.payment_id}/receive`, { amount: sats, method: 'lightning' });
  await waitFor(() => call(baseUrl, m.key, 'GET', `/checkout-sessions/${cs.id}`), (r) => r.body.status === 'paid');
  return { m, cs };
}

/** Polls `read` until `done` holds or `timeoutMs` passes; returns the last value read. */
export async function waitFor<T>(read: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 25));
  }
}
