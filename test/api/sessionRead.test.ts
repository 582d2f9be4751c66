import { randomBytes } from 'node:crypto';
import { hashKey } from '../../src/db/apiKeys';
import { claimIdempotencyKey } from '../../src/db/idempotency';
import { findPaymentBySeq, fundedPayments, insertPayment, type PaymentRow } from '../../src/db/payments';
import { readSessionWithFunded } from '../../src/db/sessionRead';
import { T } from '../../src/db/tables';
import { findSession, findSessionWithFunded, insertSession, SESSION_ROW_COLUMNS } from '../../src/db/sessions';
import { readSessionViewForKey } from '../../src/db/sessionView';
import { storedSessionView } from '../../src/views/storedSessionView';
import type { SessionDefinition } from '../../src/domain/definition';
import { call, createMerchant, waitFor } from '../support/testSystem';
import { useMerchant, useTestSystem } from '../support/useTestSystem';

const sys = useTestSystem();
const merchant = useMerchant(sys);

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
    // Still short of the amount: the session moves on to a third payment. Read once it has, so no write
    // of the workflow lands between the reads compared below.
    await until(cs.id, (s) => s.payments.length === 2 && s.payment_id !== partial.payment_id);

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
    const read = (await readSessionWithFunded(sys.db, cs.id, { accountId: merchant.id, livemode: false }))!;
    expect(await readSessionViewForKey(sys.db, hashKey(merchant.key), cs.id))
      .toEqual({ scope: { accountId: merchant.id, livemode: false }, exists: true, view: storedSessionView(read.row, read.funded) });
    expect(await readSessionViewForKey(sys.db, hashKey(other.key), cs.id)).toEqual({ scope: { accountId: other.id, livemode: false }, exists: false, view: null });
    expect(await readSessionViewForKey(sys.db, hashKey('sk_test_unknown'), cs.id)).toBeNull();

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
    expect(await readSessionViewForKey(sys.db, hashKey(other.key), cs.id)).toBeNull();
  });
});

/**
 * The other hot statements run as named prepared statements too (src/db/prepared.ts; its own test: prepared.test.ts).
 * They must behave as the knex statements they replaced: inside a transaction they run on its connection
 * (a rollback takes them back), they are reported to knex's `query` listeners, and the rows they return
 * are the rows knex reads (int8 and NUMERIC as strings, JSON parsed).
 */
describe('the prepared hot statements', () => {
  const definition = (): SessionDefinition => ({
    id: `cs_prepared_${randomBytes(6).toString('hex')}`, accountId: merchant.id, livemode: false, created: Date.now(), currency: 'SATS',
    amount: '1500', tolerancePercent: '0', ttlSeconds: 600, linkId: null, fields: { title: 'Prepared', metadata: { order: '7' } },
  });

  const payment = (sessionId: string): PaymentRow => ({
    id: `pi_prepared_${randomBytes(6).toString('hex')}`, checkout_session_id: sessionId, account_id: merchant.id, livemode: false, seq: 1,
    currency: 'SATS', amount: '1500', exchange_rate: '1', target_amount: '1500', status: 'unpaid', payment_request: null, payment_hash: null,
    onchain_address: null, address_index: null, received_sats: '0', amount_paid: '0', expires_at: String(Date.now() + 600_000),
    created: String(Date.now()), modified: String(Date.now()),
  });

  test('inside a transaction the prepared writes are part of it: a rollback takes them back, a commit keeps them', async () => {
    const rolledBack = definition();
    await sys.db.transaction(async (tx) => {
      expect(await insertSession(tx, rolledBack)).toMatchObject({ id: rolledBack.id });
      expect(await insertPayment(tx, payment(rolledBack.id))).toMatchObject({ checkout_session_id: rolledBack.id });
      // Seen inside the transaction by a knex read on its connection…
      expect(await findSession(tx, rolledBack.id)).toMatchObject({ id: rolledBack.id });
      // …and not outside it before the commit.
      expect(await findSession(sys.db, rolledBack.id)).toBeUndefined();
      await tx.rollback();
    }).catch(() => undefined);
    expect(await findSession(sys.db, rolledBack.id)).toBeUndefined();
    expect(await findPaymentBySeq(sys.db, rolledBack.id, 1)).toBeUndefined();

    const committed = definition();
    await sys.db.transaction(async (tx) => { await insertSession(tx, committed); });
    expect(await findSession(sys.db, committed.id)).toMatchObject({ id: committed.id });
  });

  test('the rows they return are the rows knex reads, and a repeat returns nothing new', async () => {
    const d = definition();
    const inserted = await insertSession(sys.db, d);
    expect(inserted).toEqual(await sys.db(T.sessions).where({ id: d.id }).first(SESSION_ROW_COLUMNS));
    expect(inserted!.definition).toEqual(d.fields);
    expect(await insertSession(sys.db, d)).toBeUndefined();
    const row = payment(d.id);
    const stored = await insertPayment(sys.db, row);
    expect(stored).toEqual(await sys.db(T.payments).where({ id: row.id }).first());
    // A second payment for the same (session, seq) loses to the stored one.
    expect(await insertPayment(sys.db, { ...payment(d.id), amount: '99' })).toEqual(stored);
  });

  test('they are reported to knex query listeners, inside and outside transactions', async () => {
    const seen: string[] = [];
    const listen = (q: { sql: string }) => seen.push(q.sql);
    sys.db.on('query', listen);
    try {
      const owner = `prepared:${randomBytes(4).toString('hex')}`;
      const claim = { owner, key: 'k1', request_hash: 'h', seed: 's', created: String(Date.now()), locked_until: String(Date.now() + 1000) };
      expect((await claimIdempotencyKey(sys.db, claim)).claimed).toBe(true);
      await sys.db.transaction(async (tx) => { await insertSession(tx, definition()); });
    } finally {
      sys.db.removeListener('query', listen);
    }
    expect(seen.filter((sql) => /insert into idempotency_keys/.test(sql))).toHaveLength(1);
    expect(seen.filter((sql) => /insert into checkout_sessions/.test(sql))).toHaveLength(1);
  });
});
