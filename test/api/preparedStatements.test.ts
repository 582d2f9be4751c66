/**
 * The hot statements run as prepared statements outside the query builder (src/db/prepared.ts). They
 * must behave as the knex statements they replaced: inside a transaction they run on its connection (a
 * rollback takes them back), they are reported to knex's `query` listeners, and the rows they return
 * are the rows knex reads (int8 and NUMERIC as strings, JSON parsed).
 */
import { randomBytes } from 'node:crypto';
import { claimIdempotencyKey } from '../../src/db/idempotency';
import { insertPayment, findPaymentBySeq, type PaymentRow } from '../../src/db/payments';
import { findSession, insertSession } from '../../src/db/sessions';
import { T } from '../../src/db/tables';
import type { SessionDefinition } from '../../src/domain/definition';
import { createMerchant, startTestSystem, type TestSystem } from '../support/testSystem';

let sys: TestSystem;
let merchant: { id: string; key: string };

beforeAll(async () => {
  sys = await startTestSystem();
  merchant = await createMerchant(sys.baseUrl);
});
afterAll(async () => { await sys?.stop(); });

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
  expect(inserted).toEqual(await sys.db(T.sessions).where({ id: d.id }).first());
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
