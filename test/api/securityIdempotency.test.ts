import { createHash } from 'node:crypto';
import { T } from '../../src/db/tables';
import { idFromSeed } from '../../src/domain/ids';
import { ADMIN_KEY, call, createMerchant, startTestSystem, type TestSystem } from '../support/testSystem';
import { useTestSystem } from '../support/useTestSystem';
import { listedRuns } from '../support/visibility';

/**
 * One Idempotency-Key runs its request once, even when the requests race; a failure after the
 * workflow started never frees the key's seed, so the retry gets the same session.
 */
const sys = useTestSystem();

const body = { currency: 'SATS', amount: 1234 };
const requestHash = (route: string, b: unknown) => createHash('sha256').update(`POST ${route}\n${JSON.stringify(b)}`).digest('hex');
const sessionsOf = async (accountId: string) => (await sys.db(T.sessions).where({ account_id: accountId }).count({ n: '*' }))[0].n;

test('concurrent creates with one key: one runs, the others get 409 "in progress" or its replay; one session exists', async () => {
  const m = await createMerchant(sys.baseUrl);
  const results = await Promise.all(Array.from({ length: 6 }, () =>
    call(sys.baseUrl, m.key, 'POST', '/checkout-sessions', body, { 'Idempotency-Key': 'race-1' })));
  const ok = results.filter((r) => r.status === 200);
  const busy = results.filter((r) => r.status === 409);
  expect(ok.length + busy.length).toBe(6);
  expect(ok.length).toBeGreaterThanOrEqual(1);
  expect(new Set(ok.map((r) => r.body.id)).size).toBe(1);
  expect(ok.filter((r) => r.headers.get('idempotent-replayed') !== 'true')).toHaveLength(1);
  for (const r of busy) {
    expect(r.body.errors[0]).toMatchObject({ type: 'idempotency_error', param: 'Idempotency-Key' });
    expect(r.headers.get('retry-after')).toBe('1');
  }
  expect(await sessionsOf(m.id)).toBe('1');
  const later = await call(sys.baseUrl, m.key, 'POST', '/checkout-sessions', body, { 'Idempotency-Key': 'race-1' });
  expect(later.headers.get('idempotent-replayed')).toBe('true');
  expect(later.body.id).toBe(ok[0].body.id);
});

test('concurrent key issues with one admin Idempotency-Key make one key', async () => {
  const m = await createMerchant(sys.baseUrl);
  const results = await Promise.all(Array.from({ length: 5 }, () =>
    call(sys.baseUrl, ADMIN_KEY, 'POST', `/accounts/${m.id}/keys`, { livemode: true }, { 'Idempotency-Key': `keys-${m.id}` })));
  expect(results.every((r) => r.status === 200 || r.status === 409)).toBe(true);
  const keys = (await call(sys.baseUrl, ADMIN_KEY, 'GET', `/accounts/${m.id}/keys`)).body.data;
  expect(keys.filter((k: { livemode: boolean }) => k.livemode)).toHaveLength(1);
});

test('a refused request (4xx) frees its key for a corrected retry', async () => {
  const m = await createMerchant(sys.baseUrl);
  const bad = await call(sys.baseUrl, m.key, 'POST', '/checkout-sessions', { currency: 'SATS', amount: -1 }, { 'Idempotency-Key': 'fix-me' });
  expect(bad.status).toBe(400);
  const good = await call(sys.baseUrl, m.key, 'POST', '/checkout-sessions', body, { 'Idempotency-Key': 'fix-me' });
  expect(good.status).toBe(200);
});

test('a key held by a live request is refused; one whose holder died (lock expired) is taken over with its seed', async () => {
  const m = await createMerchant(sys.baseUrl);
  const owner = `${m.id}:test`;
  const row = { owner, request_hash: requestHash('/checkout-sessions', body), created: Date.now(), response_status: null, response_body: null };
  await sys.db(T.idempotency).insert({ ...row, key: 'held', seed: 'seed-held', locked_until: Date.now() + 60_000 });
  await sys.db(T.idempotency).insert({ ...row, key: 'orphan', seed: 'seed-orphan', locked_until: Date.now() - 1 });
  const held = await call(sys.baseUrl, m.key, 'POST', '/checkout-sessions', body, { 'Idempotency-Key': 'held' });
  expect(held.status).toBe(409);
  const orphan = await call(sys.baseUrl, m.key, 'POST', '/checkout-sessions', body, { 'Idempotency-Key': 'orphan' });
  expect(orphan.status).toBe(200);
  expect(orphan.body.id).toBe(idFromSeed('cs', 'seed-orphan', ''));
});

test('a create that fails after its workflow started (503) keeps the key: the retry gets the same session, one workflow', async () => {
  // Its own start: an API with no worker on its task queue (the workflow starts but cannot make the session
  // in time), then a worker started mid-test on that queue.
  const apiOnly = await startTestSystem({ TEMPORAL_CALL_TIMEOUT_MS: '3000' }, { parts: ['api'] });
  let worker: TestSystem | undefined;
  try {
    const m = await createMerchant(apiOnly.baseUrl);
    const first = await call(apiOnly.baseUrl, m.key, 'POST', '/checkout-sessions', body, { 'Idempotency-Key': 'slow-1' });
    expect(first.status).toBe(503);
    const kept = await apiOnly.db(T.idempotency).where({ owner: `${m.id}:test`, key: 'slow-1' }).first();
    expect(kept).toMatchObject({ response_status: null, locked_until: null });
    worker = await startTestSystem({ TEMPORAL_TASK_QUEUE: apiOnly.taskQueue }, { parts: ['worker'] });
    const retry = await call(apiOnly.baseUrl, m.key, 'POST', '/checkout-sessions', body, { 'Idempotency-Key': 'slow-1' });
    expect(retry.status).toBe(200);
    expect(retry.body.id).toBe(idFromSeed('cs', kept.seed, ''));
    expect(await sessionsOf(m.id)).toBe('1');
    expect(await listedRuns(apiOnly.temporal, retry.body.id, 1)).toBe(1);
  } finally {
    await worker?.stop();
    await apiOnly.stop();
  }
});
