import fs from 'node:fs';
import path from 'node:path';
import { T } from '../../src/db/tables';
import { startPostgresProcess, type PostgresProcess } from '../../chaos/processes';
import { freePort } from '../../src/infra/freePort';
import { startTemporalDevServer, type TemporalDevServerHandle } from '../../src/infra/temporalDevServer';
import { createLogger } from '../../src/logger';
import { call, createMerchant, startTestSystem, waitFor, type TestSystem } from '../support/testSystem';
import { useTestSystem } from '../support/useTestSystem';

/**
 * Outages answer fast and honestly: with PostgreSQL or Temporal unreachable, or a workflow that does
 * not answer its update, the API says 503 with Retry-After instead of a slow 500 or a hang. Each
 * request is aborted after HANG_MS: the old behaviour (a 30 s connection wait, 20 s of gRPC retries,
 * an update with no deadline) fails that bound, a few-second 503 passes it with room to spare.
 */
const HANG_MS = 15_000;
const log = createLogger('silent');

function scratchDir(name: string): string {
  const dir = path.join(process.env.CHECKOUT_TEST_DIR!, `${name}-${Date.now()}`);
  fs.mkdirSync(dir, { recursive: true });
  fs.chmodSync(dir, 0o755);
  return dir;
}

async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = Date.now();
  const value = await fn();
  return { value, ms: Date.now() - started };
}

const get = (sys: TestSystem, key: string | null, route: string) =>
  fetch(`${sys.baseUrl}${route}`, {
    headers: key ? { authorization: `Basic ${Buffer.from(`${key}:`).toString('base64')}` } : {},
    signal: AbortSignal.timeout(HANG_MS),
  });

describe('PostgreSQL unreachable', () => {
  let pg: PostgresProcess;
  let port: number;
  let dir: string;
  beforeAll(async () => {
    dir = scratchDir('outage-pg');
    port = await freePort();
    pg = await startPostgresProcess(path.join(dir, 'pg'), port);
  });
  // On a PostgreSQL of its own, which the test stops and starts again.
  const sys = useTestSystem(() => ({ env: { DATABASE_URL: pg.url, DB_ACQUIRE_TIMEOUT_MS: '2000' }, parts: ['api'] }));
  afterAll(async () => { await pg?.stop(); });

  test('API calls and /health answer 503 with Retry-After, and recover when it is back', async () => {
    const merchant = await createMerchant(sys.baseUrl);
    expect((await get(sys, merchant.key, '/checkout-sessions')).status).toBe(200);

    await pg.stop();
    const list = await timed(() => get(sys, merchant.key, '/checkout-sessions'));
    expect(list.value.status).toBe(503);
    expect(list.value.headers.get('retry-after')).toMatch(/^\d+$/);
    expect((await list.value.json()).errors[0]).toMatchObject({ type: 'api_error', message: expect.stringContaining('database') });

    const health = await get(sys, null, '/health');
    expect(health.status).toBe(503);
    expect(health.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await health.json()).toEqual({ status: 'unavailable', postgres: 'down', temporal: 'ok' });

    pg = await startPostgresProcess(path.join(dir, 'pg'), port);
    const back = await waitFor(() => get(sys, merchant.key, '/checkout-sessions').then((r) => r.status), (s) => s === 200, 20_000);
    expect(back).toBe(200);
    expect((await get(sys, null, '/health')).status).toBe(200);
  });
});

describe('Temporal unreachable', () => {
  let temporal: TemporalDevServerHandle;
  let port: number;
  let dbFile: string;
  const start = () => startTemporalDevServer({ port, uiPort: null, namespace: 'default', log, dbFile });
  beforeAll(async () => {
    port = await freePort();
    dbFile = path.join(scratchDir('outage-temporal'), 'temporal.db');
    temporal = await start();
  });
  // On a Temporal server of its own, which the test stops and starts again.
  const sys = useTestSystem(() => ({ env: { TEMPORAL_ADDRESS: temporal.address, TEMPORAL_CALL_TIMEOUT_MS: '2000' } }));
  afterAll(async () => { await temporal?.stop(); });

  test('create, deactivate and /health answer 503; a receipt is stored and credited once it is back', async () => {
    const merchant = await createMerchant(sys.baseUrl);
    const api = (method: string, route: string, body?: unknown) => call(sys.baseUrl, merchant.key, method, route, body);
    const session = await api('POST', '/checkout-sessions', { currency: 'SATS', amount: 5000 });
    expect(session.status).toBe(200);

    await temporal.stop();
    const created = await timed(() => api('POST', '/checkout-sessions', { currency: 'SATS', amount: 1000 }));
    expect(created.value.status).toBe(503);
    expect(created.value.headers.get('retry-after')).toMatch(/^\d+$/);
    const deactivated = await timed(() => api('POST', `/checkout-sessions/${session.body.id}/deactivate`));
    expect(deactivated.value.status).toBe(503);
    expect(deactivated.value.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await (await get(sys, null, '/health')).json()).toEqual({ status: 'unavailable', postgres: 'ok', temporal: 'down' });

    // Money that arrives meanwhile is stored at once and handed on when Temporal is back.
    const receipt = await api('POST', `/test-helpers/payments/${session.body.payment_id}/receive`, { amount: 5000 });
    expect(receipt.status).toBe(200);
    expect(await sys.db(T.receipts).where({ id: receipt.body.id }).first()).toMatchObject({ status: 'received' });

    temporal = await start();
    const paid = await waitFor(() => api('GET', `/checkout-sessions/${session.body.id}`), (r) => r.body?.status === 'paid', 45_000);
    expect(paid.body).toMatchObject({ status: 'paid', target_amount_paid: 5000 });
    expect((await get(sys, null, '/health')).status).toBe(200);
  });
});

describe('a workflow that does not answer its update', () => {
  test('deactivate answers 503 with Retry-After at the update deadline and changes nothing', async () => {
    // Its own start: the system is stopped mid-test and an API-only one takes over its task queue.
    const full = await startTestSystem();
    const merchant = await createMerchant(full.baseUrl);
    const session = await call(full.baseUrl, merchant.key, 'POST', '/checkout-sessions', { currency: 'SATS', amount: 2000 });
    expect(session.status).toBe(200);
    await full.stop();
    // Same task queue, API only: the workflow is there but no worker runs it.
    const apiOnly = await startTestSystem({ TEMPORAL_TASK_QUEUE: full.taskQueue, TEMPORAL_CALL_TIMEOUT_MS: '2000' }, { parts: ['api'] });
    try {
      const res = await fetch(`${apiOnly.baseUrl}/checkout-sessions/${session.body.id}/deactivate`, {
        method: 'POST', headers: { authorization: `Basic ${Buffer.from(`${merchant.key}:`).toString('base64')}`, 'content-type': 'application/json' }, signal: AbortSignal.timeout(HANG_MS),
      });
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
      expect((await call(apiOnly.baseUrl, merchant.key, 'GET', `/checkout-sessions/${session.body.id}`)).body.status).toBe('active');
    } finally {
      await apiOnly.stop();
    }
  });
});
