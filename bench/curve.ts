import type { Db } from '../src/db/knex';
import { T } from '../src/db/tables';
import { load } from './reads';
import { runReceipts, type ReceiptLoad } from './receipts';
import { seedSessions } from './seedSessions';
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
    if (size > inDb) await seedPaidCopies(sys.db, template.sessions[0].id, seeded, size - inDb);
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

/**
 * Inserts `n` copies of the paid session `templateId` with its funded payment and its address owner
 * (bench/seedSessions.ts: fresh IDs, a unique address and invoice each), each 1 ms older than the last.
 */
async function seedPaidCopies(db: Db, templateId: string, offset: number, n: number): Promise<void> {
  const template = await db(T.sessions).select('payment_id', 'livemode').where({ id: templateId }).first();
  if (!template?.payment_id) throw new Error(`the curve's template session ${templateId} has no payment to copy`);
  await seedSessions(db, { sessionId: templateId, paymentId: template.payment_id, from: offset + 1, count: n, tag: 'curveSd0', livemode: template.livemode, stepMs: 1 });
}
