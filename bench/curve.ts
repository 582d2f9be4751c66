import type { Db } from '../src/db/knex';
import { T } from '../src/db/tables';
import { load } from './reads';
import { runReceipts, type ReceiptLoad } from './receipts';
import { runCreation } from './sessions';
import type { Summary } from './stats';
import type { BenchSystem, Merchant } from './system';

/** One point of the cost curve: what work costs with `rows` sessions already in the database. */
export interface CurvePoint {
  rows: number;
  createdPerSec: number;
  create: Summary;
  receiptToPaid: Summary;
  getPerSec: number;
  get: Summary;
}

/**
 * The cost curve: for each size, fills the database up to that many checkout sessions (copies of a
 * real paid session of the merchant, each with its funded payment, inserted in bulk), then creates
 * `create` sessions through the API, pays `receipts` of them at the receipt rate, and GETs random
 * sessions (old and new) for `getSeconds`. Workflows are not multiplied, only rows: this is how the
 * database's size, not the number of open workflows (the open phase), changes each cost.
 */
export async function runCurve(
  sys: BenchSystem, merchant: Merchant, destinations: Merchant[],
  opts: { sizes: number[]; create: number; receipts: number; concurrency: number; getSeconds: number; getConcurrency: number; receiptLoad: ReceiptLoad },
): Promise<CurvePoint[]> {
  const template = await runCreation(sys, merchant, destinations, 1, 1, false, null);
  await runReceipts(sys, merchant, template.sessions, opts.receiptLoad);
  const points: CurvePoint[] = [];
  let seeded = 0;
  for (const size of opts.sizes) {
    const inDb = Number((await sys.db(T.sessions).count({ n: '*' }))[0].n);
    if (size > inDb) await seedSessions(sys.db, template.sessions[0].id, seeded, size - inDb);
    seeded += Math.max(0, size - inDb);
    await sys.db.raw(`analyze ${T.sessions}; analyze ${T.payments}`);
    const created = await runCreation(sys, merchant, destinations, opts.create, opts.concurrency, true, null);
    const paid = await runReceipts(sys, merchant, created.sessions.slice(0, opts.receipts), opts.receiptLoad);
    const sample = (await sys.db(T.sessions).select('id').where({ account_id: merchant.id }).orderByRaw('random()').limit(2000)).map((r: { id: string }) => r.id);
    const get = await load({ baseUrl: sys.baseUrl, key: merchant.key, paths: sample.map((id) => `/checkout-sessions/${id}`),
      seconds: opts.getSeconds, concurrency: opts.getConcurrency }, () => 0);
    points.push({ rows: size, createdPerSec: created.result.sessionsPerSec, create: created.result.latency, receiptToPaid: paid.toPaid,
      getPerSec: get.requestsPerSec, get: get.latency });
    console.log(`  … ${size} sessions in the database: ${created.result.sessionsPerSec} created/s, receipt → paid p50 ${paid.toPaid.p50} ms, GET p99 ${get.latency.p99} ms`);
  }
  return points;
}

/** Inserts `n` copies of session `templateId` and its funded payment, with fresh IDs and unique references. */
async function seedSessions(db: Db, templateId: string, offset: number, n: number): Promise<void> {
  const columns = async (table: string) => (await db('information_schema.columns').select('column_name')
    .where({ table_name: table, table_schema: db.raw('current_schema()') }).orderBy('ordinal_position')).map((c: { column_name: string }) => c.column_name);
  const sessionCols = await columns(T.sessions);
  const paymentCols = await columns(T.payments);
  // In batches: each statement stays well inside the system's statement_timeout on a busy machine.
  for (let from = offset + 1; from <= offset + n; from += 10_000) await seedBatch(db, templateId, sessionCols, paymentCols, [from, Math.min(offset + n, from + 9_999)]);
}

async function seedBatch(db: Db, templateId: string, sessionCols: string[], paymentCols: string[], range: number[]): Promise<void> {
  const override = (cols: string[], values: Record<string, string>) => cols.map((c) => values[c] ?? `t.${c}`).join(', ');
  await db.raw(`insert into ${T.sessions} (${sessionCols.join(', ')})
    select ${override(sessionCols, { id: `'cs_seed' || g`, payment_id: `'pi_seed' || g`, created: 't.created - g', modified: 't.modified - g' })}
    from ${T.sessions} t, generate_series(?::int, ?::int) g where t.id = ?`, [...range, templateId]);
  await db.raw(`insert into ${T.payments} (${paymentCols.join(', ')})
    select ${override(paymentCols, { id: `'pi_seed' || g`, checkout_session_id: `'cs_seed' || g`,
    payment_hash: `t.payment_hash || g`, onchain_address: `t.onchain_address || g`, created: 't.created - g', modified: 't.modified - g' })}
    from ${T.payments} t, generate_series(?::int, ?::int) g
    where t.checkout_session_id = ? and t.received_sats > 0`, [...range, templateId]);
}
