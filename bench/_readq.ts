import fs from 'node:fs';
import { startEmbeddedPostgres } from '../src/infra/embeddedPostgres';
import { createDb } from '../src/db/knex';
import { migrateLatest } from '../src/db/migrate';
import { findSession, findSessionWithFunded } from '../src/db/sessions';
import { fundedPayments } from '../src/db/payments';
import { createLogger } from '../src/logger';
import { watchConditions } from './conditions';
const P = ['id', 'checkout_session_id', 'account_id', 'livemode', 'seq', 'currency', 'amount', 'exchange_rate', 'target_amount', 'status',
  'payment_request', 'payment_hash', 'onchain_address', 'address_index', 'received_sats', 'amount_paid', 'expires_at', 'created', 'modified'];
const TXT = ['amount', 'exchange_rate', 'target_amount', 'received_sats', 'amount_paid', 'expires_at', 'created', 'modified'];
async function main() {
  fs.rmSync('/tmp/pgq', { recursive: true, force: true }); fs.mkdirSync('/tmp/pgq'); fs.chmodSync('/tmp/pgq', 0o777);
  const pg = await startEmbeddedPostgres('/tmp/pgq/data', createLogger('silent'));
  const db = createDb(pg.url);
  await migrateLatest(db);
  const now = Date.now();
  await db('accounts').insert({ id: 'acct_m', name: 'm', kind: 'merchant', amount_paid_tolerance: '1', created: now, modified: now });
  const ids: string[] = [];
  for (let i = 0; i < 300; i++) {
    const id = `cs_${i}`; ids.push(id);
    await db('checkout_sessions').insert({ id, account_id: 'acct_m', livemode: false, status: 'paid', currency: 'SATS', amount: '10000', definition: JSON.stringify({ ttl: 600, transfers: [{ a: 1 }, { b: 2 }], metadata: { order: '1' } }), version: 3, created: now, modified: now, target_amount_paid: '10000', amount_paid: '10000' });
    await db('payments').insert({ id: `pi_${i}`, checkout_session_id: id, account_id: 'acct_m', livemode: false, seq: 1, currency: 'SATS', amount: '10000', exchange_rate: '1', target_amount: '10000', status: 'paid', payment_request: 'lnbcrt' + 'x'.repeat(300), payment_hash: `h${i}`, onchain_address: `a${i}`, address_index: i, received_sats: '10000', amount_paid: '10000', expires_at: now, created: now, modified: now });
  }
  const scope = { accountId: 'acct_m', livemode: false };
  const variants: Record<string, (id: string) => Promise<unknown>> = {
    two: async (id) => { await findSession(db, id, scope); return fundedPayments(db, id); },
    one: (id) => findSessionWithFunded(db, id, scope),
    join: async (id) => {
      const rows = await db('checkout_sessions as s')
        .leftJoin('payments as p', function on() { this.on('p.checkout_session_id', 's.id').andOn('p.received_sats', '>', db.raw('0')); })
        .select('s.*', ...P.map((c) => `p.${c} as p__${c}`)).where('s.id', id).andWhere({ 's.account_id': 'acct_m', 's.livemode': false }).orderBy('p.seq');
      return rows;
    },
    jbo: (id) => db('checkout_sessions as s').select('s.*', db.raw(`coalesce((select json_agg(json_build_object(${P.map((c) => `'${c}', p.${c}${TXT.includes(c) ? '::text' : ''}`).join(', ')}) order by p.seq) from payments p where p.checkout_session_id = s.id and p.received_sats > 0), '[]') as funded`)).where('s.id', id).andWhere({ 's.account_id': 'acct_m', 's.livemode': false }).first(),
  };
  for (let round = 0; round < 2; round++) for (const [name, fn] of Object.entries(variants)) {
    for (let i = 0; i < 500; i++) await fn(ids[i % 300]);
    const stop = watchConditions(db);
    const n = 4000;
    await Promise.all(Array.from({ length: 8 }, async (_, k) => { for (let i = 0; i < n / 8; i++) await fn(ids[(i * 8 + k) % 300]); }));
    const c = stop();
    console.log(name, 'per read: node µs', Math.round(c.cpuMs.process * 1000 / n), 'postgres µs', Math.round((c.cpuMs.postgres ?? 0) * 1000 / n), 'wall s', c.seconds);
  }
  await db.destroy(); await pg.stop();
}
main().then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });
