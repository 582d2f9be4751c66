import { randomBytes } from 'node:crypto';
import { queryPrepared } from '../../src/db/prepared';
import { T } from '../../src/db/tables';
import { call, waitFor } from '../support/testSystem';
import { useMerchant, useTestSystem } from '../support/useTestSystem';

/**
 * A migration run ahead of a rollout adds columns under running processes. Their prepared statements
 * (src/db/prepared.ts) must keep working: PostgreSQL refuses a prepared statement whose result columns
 * changed since it was planned on a connection, so none may use `select *` / `returning *`.
 * The columns it adds stay in the file's own database (test/support/testDatabases.ts), dropped after it.
 */
const sys = useTestSystem();
const merchant = useMerchant(sys);

const api = (method: string, route: string, body?: unknown, headers?: Record<string, string>) =>
  call(sys.baseUrl, merchant.key, method, route, body, headers);

/** Creates and reads sessions concurrently, so the prepared statements are planned on many pooled connections. */
async function createAndRead(n: number): Promise<{ creates: number[]; reads: number[] }> {
  const created = await Promise.all(Array.from({ length: n }, (_, i) =>
    api('POST', '/checkout-sessions', { currency: 'SATS', amount: 1000 + i }, { 'Idempotency-Key': `schema-${randomBytes(6).toString('hex')}` })));
  const ids = created.filter((r) => r.status === 200).map((r) => r.body.id as string);
  // A paid session's read joins its funded payments: the payment columns are read through it too.
  const paid = created.find((r) => r.status === 200)?.body;
  let paidRead = 0;
  if (paid) {
    await api('POST', `/test-helpers/payments/${paid.payment_id}/receive`, { amount: paid.amount });
    const read = await waitFor(() => api('GET', `/checkout-sessions/${paid.id}`), (r) => r.status !== 200 || r.body.status === 'paid');
    paidRead = read.status === 200 && read.body.payments.length === 1 ? 200 : read.status;
  }
  const reads = await Promise.all([...ids, ...ids].map((id) => api('GET', `/checkout-sessions/${id}`)));
  return { creates: created.map((r) => r.status), reads: [...reads.map((r) => r.status), paidRead] };
}

describe('prepared statements across a migration that adds columns', () => {
  test('after ALTER TABLE … ADD COLUMN on sessions, payments and idempotency keys, reads and creates still answer 200', async () => {
    const warm = await createAndRead(12);
    expect(warm.creates.every((s) => s === 200)).toBe(true);
    expect(warm.reads.every((s) => s === 200)).toBe(true);

    for (const table of [T.sessions, T.payments, T.idempotency, T.apiKeys, T.accounts]) {
      await sys.db.raw(`alter table ${table} add column next_release_probe text`);
    }
    const after = await createAndRead(12);
    expect(after.creates).toEqual(Array(12).fill(200));
    expect(after.reads).toEqual(Array(25).fill(200));
  });

  test('a prepared statement on a finished transaction is refused, not run inside another transaction', async () => {
    const trx = await sys.db.transaction();
    await trx.commit();
    await expect(queryPrepared(trx, { name: 'finished_trx_probe_v1', text: 'select 1 as one' }, [])).rejects.toThrow(/already complete/);
    const rolledBack = await sys.db.transaction();
    await rolledBack.rollback();
    await expect(queryPrepared(rolledBack, { name: 'finished_trx_probe_v1', text: 'select 1 as one' }, [])).rejects.toThrow(/already complete/);
    // A live transaction and the pool still run it.
    await sys.db.transaction(async (tx) => { expect(await queryPrepared(tx, { name: 'finished_trx_probe_v1', text: 'select 1 as one' }, [])).toEqual([{ one: 1 }]); });
    expect(await queryPrepared(sys.db, { name: 'finished_trx_probe_v1', text: 'select 1 as one' }, [])).toEqual([{ one: 1 }]);
  });
});
