import { fundedPayments } from '../../src/db/payments';
import { hashKey } from '../../src/db/apiKeys';
import { readSessionForKey, readSessionWithFunded } from '../../src/db/sessionRead';
import { T } from '../../src/db/tables';
import { findSession, findSessionWithFunded } from '../../src/db/sessions';
import { call, createMerchant, startTestSystem, waitFor, type TestSystem } from '../support/testSystem';

let sys: TestSystem;
let merchant: { id: string; key: string };

beforeAll(async () => {
  sys = await startTestSystem();
  merchant = await createMerchant(sys.baseUrl);
});
afterAll(async () => { await sys?.stop(); });

const api = (method: string, route: string, body?: unknown) => call(sys.baseUrl, merchant.key, method, route, body);
const until = (id: string, done: (s: any) => boolean) =>
  waitFor(() => api('GET', `/checkout-sessions/${id}`), (r) => done(r.body)).then((r) => r.body);

/** The plain two reads: the session row, then its funded payments. */
async function twoReads(id: string) {
  const row = await findSession(sys.db, id);
  return row && { row, funded: await fundedPayments(sys.db, id) };
}

describe('the session read behind GET and session events', () => {
  test('a fiat session with two funded payments reads exactly as the session row plus its funded payments', async () => {
    const cs = (await api('POST', '/checkout-sessions', { currency: 'USD', amount: 12.5, amount_paid_tolerance: 0 })).body;
    await api('POST', `/test-helpers/payments/${cs.payment_id}/receive`, { amount: 1000 });
    const partial = await until(cs.id, (s) => s.payment_id !== cs.payment_id);
    await api('POST', `/test-helpers/payments/${partial.payment_id}/receive`, { amount: 7, method: 'lightning' });
    await until(cs.id, (s) => s.payments.length === 2);

    const read = await findSessionWithFunded(sys.db, cs.id);
    expect(read!.funded.map((p) => p.id)).toEqual([cs.payment_id, partial.payment_id]);
    expect(read).toEqual(await twoReads(cs.id));
    expect(typeof read!.funded[0].exchange_rate).toBe('string');
    // The API's one-statement read (prepared, payments joined) gives the very same rows, twice (the second runs the prepared plan).
    const scope = { accountId: merchant.id, livemode: false };
    expect(await readSessionWithFunded(sys.db, cs.id, scope)).toEqual(read);
    expect(await readSessionWithFunded(sys.db, cs.id, scope)).toEqual(read);
  });

  test('a session nothing was paid to has no funded payments (and needs no second query)', async () => {
    const cs = (await api('POST', '/checkout-sessions', { currency: 'SATS', amount: 500 })).body;
    const read = await findSessionWithFunded(sys.db, cs.id);
    expect(read).toEqual({ row: expect.objectContaining({ id: cs.id }), funded: [] });
    expect(read).toEqual(await twoReads(cs.id));
    expect(await readSessionWithFunded(sys.db, cs.id, { accountId: merchant.id, livemode: false })).toEqual(read);
  });

  test('the one-statement read is one statement, counted like any other', async () => {
    const cs = (await api('POST', '/checkout-sessions', { currency: 'SATS', amount: 700 })).body;
    await api('POST', `/test-helpers/payments/${cs.payment_id}/receive`, { amount: 700 });
    await until(cs.id, (s) => s.status === 'paid');
    const statements: string[] = [];
    const count = (q: { sql: string }) => statements.push(q.sql);
    sys.db.on('query', count);
    try {
      const read = await readSessionWithFunded(sys.db, cs.id, { accountId: merchant.id, livemode: false });
      expect(read!.funded).toHaveLength(1);
      expect(read!.row.target_amount_paid).toBe('700');
    } finally {
      sys.db.removeListener('query', count);
    }
    expect(statements.filter((sql) => sql.includes('__funded'))).toHaveLength(1);
  });

  test('the scope hides another account\'s session and the other mode', async () => {
    const cs = (await api('POST', '/checkout-sessions', { currency: 'SATS', amount: 500 })).body;
    expect(await findSessionWithFunded(sys.db, cs.id, { accountId: merchant.id, livemode: false })).toBeDefined();
    expect(await findSessionWithFunded(sys.db, cs.id, { accountId: merchant.id, livemode: true })).toBeUndefined();
    expect(await findSessionWithFunded(sys.db, cs.id, { accountId: 'acct_other', livemode: false })).toBeUndefined();
    expect(await readSessionWithFunded(sys.db, cs.id, { accountId: merchant.id, livemode: true })).toBeUndefined();
    expect(await readSessionWithFunded(sys.db, cs.id, { accountId: 'acct_other', livemode: false })).toBeUndefined();
    expect(await readSessionWithFunded(sys.db, 'cs_missing', { accountId: merchant.id, livemode: false })).toBeUndefined();
  });

  test('GET checks the key and reads the session in one statement: unknown or revoked key 401, another scope 404', async () => {
    const cs = (await api('POST', '/checkout-sessions', { currency: 'SATS', amount: 900 })).body;
    const other = await createMerchant(sys.baseUrl);
    expect(await readSessionForKey(sys.db, hashKey(merchant.key), cs.id))
      .toEqual({ scope: { accountId: merchant.id, livemode: false }, session: await readSessionWithFunded(sys.db, cs.id, { accountId: merchant.id, livemode: false }) });
    expect(await readSessionForKey(sys.db, hashKey(other.key), cs.id)).toEqual({ scope: { accountId: other.id, livemode: false }, session: undefined });
    expect(await readSessionForKey(sys.db, hashKey('sk_test_unknown'), cs.id)).toBeNull();

    const statements: string[] = [];
    const count = (q: { sql: string }) => statements.push(q.sql);
    sys.db.on('query', count);
    try {
      expect((await api('GET', `/checkout-sessions/${cs.id}`)).body).toMatchObject({ id: cs.id, status: 'active', payments: [] });
    } finally {
      sys.db.removeListener('query', count);
    }
    expect(statements).toHaveLength(1);
    expect((await call(sys.baseUrl, other.key, 'GET', `/checkout-sessions/${cs.id}`)).status).toBe(404);
    expect((await call(sys.baseUrl, 'sk_test_nope', 'GET', `/checkout-sessions/${cs.id}`)).status).toBe(401);
    expect((await call(sys.baseUrl, null, 'GET', `/checkout-sessions/${cs.id}`)).status).toBe(401);

    await sys.db(T.apiKeys).where({ key_hash: hashKey(other.key) }).update({ revoked_at: Date.now() });
    expect((await call(sys.baseUrl, other.key, 'GET', `/checkout-sessions/${cs.id}`)).status).toBe(401);
    expect(await readSessionForKey(sys.db, hashKey(other.key), cs.id)).toBeNull();
  });
});
