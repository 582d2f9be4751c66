import fs from 'node:fs';
import path from 'node:path';
import { T } from '../../src/db/tables';
import { createCheckoutSession } from '../../src/services/checkoutSessions';
import { createSessionSchema } from '../../src/domain/input/sessionFields';
import { ADMIN_KEY, call, createMerchant, waitFor } from '../support/testSystem';
import { useMerchant, useTestSystem } from '../support/useTestSystem';
import { connectTransfers } from '../support/transferDestinations';
import { temporalCli } from '../support/temporalCli';

const sys = useTestSystem();
const merchant = useMerchant(sys, { name: 'Shop' });
const partnerA = useMerchant(sys, { name: 'Partner A' });
const partnerB = useMerchant(sys, { name: 'Partner B' });
beforeAll(async () => { await connectTransfers(sys.baseUrl, merchant.id, partnerA.id, partnerB.id); });

const fixture = (name: string) => JSON.parse(fs.readFileSync(path.join(__dirname, '../fixtures', name), 'utf8'));

const api = (key: string | null, method: string, route: string, body?: unknown, headers?: Record<string, string>) =>
  call(sys.baseUrl, key, method, route, body, headers);

function seedBody() {
  const body = fixture('seed-create-request.json');
  body.transfers[0].destination_account = partnerA.id;
  body.transfers[1].destination_account = partnerB.id;
  return body;
}

async function sessionCount(accountId: string): Promise<number> {
  const [{ count }] = await sys.db(T.sessions).where({ account_id: accountId }).count({ count: '*' });
  return Number(count);
}

describe('authentication and tenancy', () => {
  test('a missing or wrong key is a 401 with an authentication error', async () => {
    for (const key of [null, 'sk_test_nope', ADMIN_KEY]) {
      const res = await api(key, 'GET', '/checkout-sessions');
      expect(res.status).toBe(401);
      expect(res.body.errors[0].type).toBe('authentication_error');
    }
  });

  test('only the admin key creates accounts; a merchant key cannot', async () => {
    expect((await api(merchant.key, 'POST', '/accounts', { name: 'x' })).status).toBe(401);
    const res = await api(ADMIN_KEY, 'POST', '/accounts', { name: 'Another' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ object: 'account', name: 'Another', secret_key: expect.stringMatching(/^sk_test_/) });
  });

  test('keys are stored hashed, never in plain text', async () => {
    const rows = await sys.db(T.apiKeys).select('key_hash').where({ account_id: merchant.id });
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) expect(r.key_hash).not.toContain('sk_');
    expect(rows.map((r) => r.key_hash)).not.toContain(merchant.key);
  });

  test('a replayed account creation does not hand out the secret key again, nor store it', async () => {
    const headers = { 'Idempotency-Key': `acct-${Date.now()}` };
    const first = await api(ADMIN_KEY, 'POST', '/accounts', { name: 'Replay' }, headers);
    const replay = await api(ADMIN_KEY, 'POST', '/accounts', { name: 'Replay' }, headers);
    expect(replay.body.id).toBe(first.body.id);
    expect(replay.body.secret_key).not.toBe(first.body.secret_key);
    const stored = JSON.stringify(await sys.db(T.idempotency).select('response_body'));
    expect(stored).not.toContain(first.body.secret_key);
  });

  test('another account, or the same account in live mode, gets 404 for a test-mode session', async () => {
    const created = await api(merchant.key, 'POST', '/checkout-sessions', { currency: 'SATS', amount: 500 });
    const other = await api(partnerA.key, 'GET', `/checkout-sessions/${created.body.id}`);
    expect(other.status).toBe(404);
    const liveKey = (await api(ADMIN_KEY, 'POST', `/accounts/${merchant.id}/keys`, { livemode: true })).body.secret_key;
    expect(liveKey).toMatch(/^sk_live_/);
    expect((await api(liveKey, 'GET', `/checkout-sessions/${created.body.id}`)).status).toBe(404);
    expect((await api(liveKey, 'GET', '/checkout-sessions')).body.data).toEqual([]);
    expect((await api(partnerA.key, 'GET', `/payments/${created.body.payment_id}`)).status).toBe(404);
  });
});

describe('creating a checkout session', () => {
  test('the seed example body returns the seed object shape, active, with a payment', async () => {
    const res = await api(merchant.key, 'POST', '/checkout-sessions', seedBody());
    expect(res.status).toBe(200);
    const seedObject = fixture('seed-checkout-session.json');
    for (const key of Object.keys(seedObject)) expect(res.body).toHaveProperty(key);
    expect(res.body).toMatchObject({
      object: 'checkout_session', livemode: false, status: 'active', currency: 'SATS', amount: 100, target_currency: 'SATS',
      ttl: 300, payment_methods: ['lightning', 'onchain'], type: 'fixed', statement_descriptor: 'cancel url test',
      amount_paid: null, target_amount_paid: null, payments: [], amount_paid_tolerance: 5,
      customer_collections_status: seedObject.customer_collections_status,
      url: `http://checkout.test/pay/${res.body.id}`, default_url: `http://checkout.test/pay/${res.body.id}`,
    });
    expect(res.body.id).toMatch(/^cs_/);
    expect(res.body.payment_id).toMatch(/^pi_/);
    expect(res.body.transfers).toEqual([
      { destination_account: partnerA.id, percentage: 50, description: 'tr-1' },
      { destination_account: partnerB.id, percentage: 50, description: 'tr-1' },
    ]);
    expect(res.body.custom_fields.map((f: { id: string }) => f.id)).toEqual([expect.stringMatching(/^cscf_/), expect.stringMatching(/^cscf_/), expect.stringMatching(/^cscf_/)]);
    expect((await api(merchant.key, 'GET', `/checkout-sessions/${res.body.id}`)).body).toEqual(res.body);
  });

  test('defaults: ttl 600 for fiat and a year for SATS/BTC, both methods, the account tolerance', async () => {
    const fiat = await api(merchant.key, 'POST', '/checkout-sessions', { currency: 'USD', amount: 12.5 });
    expect(fiat.body).toMatchObject({ ttl: 600, payment_methods: ['lightning', 'onchain'], amount_paid_tolerance: 1, amount: 12.5 });
    const sats = await api(merchant.key, 'POST', '/checkout-sessions', { currency: 'BTC', amount: 0.001 });
    expect(sats.body).toMatchObject({ ttl: 31_536_000, amount: 0.001 });
  });

  test.each([
    [{ currency: 'SATS', amount: 10, transfers: [{ destination_account: 'acct_doesnotexist', percentage: 10 }] }, 'transfers[0].destination_account'],
    // The platform's account exists but is not a merchant: fees go there, transfers cannot.
    [{ currency: 'SATS', amount: 10, transfers: [{ destination_account: 'acct_platform', percentage: 10 }] }, 'transfers[0].destination_account'],
    [{ currency: 'SATS', amount: 10, ttl: 0 }, 'ttl'],
    [{ currency: 'SATS', amount: 10, surprise: true }, 'surprise'],
    [{ currency: 'SATS', amount: 1.5 }, 'amount'],
  ])('bad input %j is a 400 naming %s and writes nothing', async (body, param) => {
    const before = await sessionCount(merchant.id);
    const res = await api(merchant.key, 'POST', '/checkout-sessions', body);
    expect(res.status).toBe(400);
    expect(res.body.errors[0]).toMatchObject({ type: 'invalid_request_error', param });
    expect(await sessionCount(merchant.id)).toBe(before);
  });

  test('a transfer to the session\'s own account is refused', async () => {
    const res = await api(merchant.key, 'POST', '/checkout-sessions', { currency: 'SATS', amount: 10, transfers: [{ destination_account: merchant.id, percentage: 10 }] });
    expect(res.status).toBe(400);
    expect(res.body.errors[0]).toMatchObject({ param: 'transfers[0].destination_account', message: expect.stringMatching(/own account/) });
  });

  test('malformed JSON and non-object bodies are 400s and the server keeps serving', async () => {
    expect((await api(merchant.key, 'POST', '/checkout-sessions', '{"currency": ')).status).toBe(400);
    expect((await api(merchant.key, 'POST', '/checkout-sessions', '[1,2]')).status).toBe(400);
    expect((await api(merchant.key, 'GET', '/checkout-sessions')).status).toBe(200);
  });
});

describe('Idempotency-Key', () => {
  test('the same key and body replays the first response and creates one session', async () => {
    const headers = { 'Idempotency-Key': `idem-${Date.now()}` };
    const before = await sessionCount(merchant.id);
    const first = await api(merchant.key, 'POST', '/checkout-sessions', { currency: 'SATS', amount: 777 }, headers);
    const second = await api(merchant.key, 'POST', '/checkout-sessions', { currency: 'SATS', amount: 777 }, headers);
    expect(second.status).toBe(200);
    expect(second.body).toEqual(first.body);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(await sessionCount(merchant.id)).toBe(before + 1);
  });

  test('the same key with a different body is a 409', async () => {
    const headers = { 'Idempotency-Key': `idem-409-${Date.now()}` };
    await api(merchant.key, 'POST', '/checkout-sessions', { currency: 'SATS', amount: 1 }, headers);
    const res = await api(merchant.key, 'POST', '/checkout-sessions', { currency: 'SATS', amount: 2 }, headers);
    expect(res.status).toBe(409);
  });

  test('concurrent retries with one key make one session', async () => {
    const headers = { 'Idempotency-Key': `idem-race-${Date.now()}` };
    const before = await sessionCount(merchant.id);
    const results = await Promise.all([1, 2, 3, 4].map(() => api(merchant.key, 'POST', '/checkout-sessions', { currency: 'SATS', amount: 4242 }, headers)));
    // The first holds the key while it runs; the others are told so (409) or, if it finished, get its replay.
    expect(results.every((r) => r.status === 200 || r.status === 409)).toBe(true);
    expect(new Set(results.filter((r) => r.status === 200).map((r) => r.body.id)).size).toBe(1);
    expect(await sessionCount(merchant.id)).toBe(before + 1);
  });

  test('a crash after the workflow started, then a retry with the key, leaves one session and one workflow', async () => {
    const key = `idem-crash-${Date.now()}`;
    const body = { currency: 'SATS', amount: 31337 };
    // The first attempt claimed the key and started the workflow, then died before answering.
    const seed = 'crashed-attempt-seed';
    await sys.db(T.idempotency).insert({ owner: `${merchant.id}:test`, key, request_hash: requestHash(body), seed, created: Date.now() });
    const input = createSessionSchema(1).parse(body);
    const firstAttempt = await createCheckoutSession(sys.ctx, { accountId: merchant.id, livemode: false }, input, seed);

    const retry = await api(merchant.key, 'POST', '/checkout-sessions', body, { 'Idempotency-Key': key });
    expect(retry.status).toBe(200);
    expect(retry.body.id).toBe(firstAttempt.id);
    expect(await sys.db(T.sessions).where({ id: firstAttempt.id }).count({ count: '*' })).toEqual([{ count: '1' }]);
    const runs = await temporalCli(['workflow', 'list', '--query', `WorkflowId="${firstAttempt.id}"`, '-o', 'json']);
    expect(JSON.parse(runs)).toHaveLength(1);
  });

  function requestHash(body: unknown): string {
    return require('node:crypto').createHash('sha256').update(`POST /checkout-sessions\n${JSON.stringify(body)}`).digest('hex');
  }
});

describe('reading, updating, listing', () => {
  test('update changes the descriptive fields in any state and refuses others', async () => {
    const created = await api(merchant.key, 'POST', '/checkout-sessions', { currency: 'SATS', amount: 900 });
    const updated = await api(merchant.key, 'POST', `/checkout-sessions/${created.body.id}`, {
      metadata: { order: '42' }, description: 'Two coffees', success_url: 'https://shop.example/thanks', title: 'Café',
    });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ metadata: { order: '42' }, description: 'Two coffees', success_url: 'https://shop.example/thanks', title: 'Café', amount: 900 });
    const refused = await api(merchant.key, 'POST', `/checkout-sessions/${created.body.id}`, { amount: 5 });
    expect(refused.status).toBe(400);
    expect(refused.body.errors[0].param).toBe('amount');
    await api(merchant.key, 'POST', `/checkout-sessions/${created.body.id}/deactivate`);
    const afterDeactivation = await api(merchant.key, 'POST', `/checkout-sessions/${created.body.id}`, { description: 'cancelled order' });
    expect(afterDeactivation.body).toMatchObject({ status: 'deactivated', description: 'cancelled order' });
  });

  test('lists are newest first with cursors and a status filter', async () => {
    const owner = await createMerchant(sys.baseUrl, { name: 'Lister' });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await api(owner.key, 'POST', '/checkout-sessions', { currency: 'SATS', amount: 100 + i })).body.id);
    const page1 = await api(owner.key, 'GET', '/checkout-sessions?limit=2');
    expect(page1.body).toMatchObject({ object: 'list', has_more: true });
    expect(page1.body.data.map((s: { id: string }) => s.id)).toEqual([ids[4], ids[3]]);
    const page2 = await api(owner.key, 'GET', `/checkout-sessions?limit=2&starting_after=${ids[3]}`);
    expect(page2.body.data.map((s: { id: string }) => s.id)).toEqual([ids[2], ids[1]]);
    const page3 = await api(owner.key, 'GET', `/checkout-sessions?limit=2&starting_after=${ids[1]}`);
    expect(page3.body).toMatchObject({ has_more: false });
    expect(page3.body.data.map((s: { id: string }) => s.id)).toEqual([ids[0]]);
    const back = await api(owner.key, 'GET', `/checkout-sessions?limit=2&ending_before=${ids[1]}`);
    expect(back.body.data.map((s: { id: string }) => s.id)).toEqual([ids[3], ids[2]]);
    await api(owner.key, 'POST', `/checkout-sessions/${ids[0]}/deactivate`);
    const deactivated = await api(owner.key, 'GET', '/checkout-sessions?status=deactivated');
    expect(deactivated.body.data.map((s: { id: string }) => s.id)).toEqual([ids[0]]);
    // A cursor is a position: one that is not in the filtered list (it left it, or never was) still pages.
    const afterLeft = await api(owner.key, 'GET', `/checkout-sessions?status=active&starting_after=${ids[0]}`);
    expect(afterLeft.body).toMatchObject({ has_more: false, data: [] });
    const beforeLeft = await api(owner.key, 'GET', `/checkout-sessions?status=active&ending_before=${ids[0]}&limit=10`);
    expect(beforeLeft.body.data.map((s: { id: string }) => s.id)).toEqual([ids[4], ids[3], ids[2], ids[1]]);
    // Another account's session is no cursor of this caller's: 404 resource_missing naming it.
    const foreign = await api(merchant.key, 'GET', `/checkout-sessions?ending_before=${ids[0]}`);
    expect(foreign.status).toBe(404);
    expect(foreign.body.errors[0]).toMatchObject({ param: 'ending_before', code: 'resource_missing' });
    expect((await api(owner.key, 'GET', '/checkout-sessions?limit=0')).body.errors[0].param).toBe('limit');
    expect((await api(owner.key, 'GET', '/checkout-sessions?status=expired')).status).toBe(400);
  });
});

describe('deactivation and operators', () => {
  test('the API deactivates an active session; a second deactivation is a 409 unexpected_state', async () => {
    const created = await api(merchant.key, 'POST', '/checkout-sessions', { currency: 'SATS', amount: 1200 });
    const res = await api(merchant.key, 'POST', `/checkout-sessions/${created.body.id}/deactivate`);
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('deactivated');
    const payment = await api(merchant.key, 'GET', `/payments/${created.body.payment_id}`);
    expect(payment.body.status).toBe('cancelled');
    const again = await api(merchant.key, 'POST', `/checkout-sessions/${created.body.id}/deactivate`);
    expect(again.status).toBe(409);
    expect(again.body.errors[0]).toMatchObject({ type: 'invalid_request_error', code: 'unexpected_state' });
    expect(again.body.errors[0].message).toMatch(/deactivated; only an active checkout session can be deactivated/);
  });

  test('an operator deactivates with the temporal CLI, and the search attributes follow', async () => {
    const created = await api(merchant.key, 'POST', '/checkout-sessions', { currency: 'SATS', amount: 1300 });
    const id = created.body.id;
    const listed = await waitFor(() => temporalCli(['workflow', 'list', '--query', `CheckoutStatus="active" AND AccountId="${merchant.id}"`]), (out) => out.includes(id));
    expect(listed).toContain(id);
    await temporalCli(['workflow', 'update', 'execute', '--name', 'deactivate', '-w', id]);
    expect((await api(merchant.key, 'GET', `/checkout-sessions/${id}`)).body.status).toBe('deactivated');
    const moved = await waitFor(() => temporalCli(['workflow', 'list', '--query', `CheckoutStatus="deactivated" AND AccountId="${merchant.id}"`]), (out) => out.includes(id));
    expect(moved).toContain(id);
    await expect(temporalCli(['workflow', 'update', 'execute', '--name', 'deactivate', '-w', id])).rejects.toThrow(/only an active checkout session/);
  });

  test('the workflow carries a one-line summary for the Web UI', async () => {
    const created = await api(merchant.key, 'POST', '/checkout-sessions', { currency: 'SATS', amount: 1400 });
    const description = await sys.temporal.workflow.getHandle(created.body.id).describe();
    expect(await description.staticSummary()).toContain('1400 SATS');
  });
});

describe('health', () => {
  test('GET /health answers 200 once PostgreSQL and Temporal are reachable', async () => {
    const res = await api(null, 'GET', '/health');
    expect(res).toMatchObject({ status: 200, body: { status: 'ok' } });
  });
});
