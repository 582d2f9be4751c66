import { randomBytes } from 'node:crypto';
import { T } from '../src/db/tables';
import { countRunning, machineTicks, busyPct, waitClosed, createShortLived } from './coldSessions';
import { settleServers, watchConditions, type PhaseConditions } from './conditions';
import { processMemory } from './memory';
import { load } from './reads';
import { runReceipts, type ReceiptLoad } from './receipts';
import { seedSessions, seededIds } from './seedSessions';
import { runCreation, type CreatedSession } from './sessions';
import type { Summary } from './stats';
import type { BenchSystem, Merchant } from './system';

/** One point: the same work measured with `total` sessions in the database, `open` of them active. */
export interface MillionPoint {
  total: number;
  open: number;
  /** Seconds the rows took to insert (COPY-like `insert … select generate_series`). */
  seedSec: number;
  createdPerSec: number;
  create: Summary;
  /** Receipts to open (idle-closed) sessions: each brought back by signal-with-start. */
  receiptToPaid: Summary;
  getPerSec: number;
  get: Summary;
  /** Running session workflows (visibility API) against the sessions this run made busy (created, or paid and in their monitoring window). */
  running: number;
  notIdle: number;
  /** This process's RSS after a full GC (worker + API + watcher), after the point's work. */
  rssMb: number;
  conditions: PhaseConditions & { machineBusyPct: number };
}

export interface MillionResult {
  points: [MillionPoint, MillionPoint];
  /** Large over small: creation rate (goal ≥ 0.9), receipt → paid p50 (≤ 1.2), GET p99 (≤ 1.2), RSS. */
  ratios: { createRate: number; receiptP50: number; getP99: number; rss: number };
}

const DAY_MS = 86_400_000;

/**
 * The cost curve at a million: the same creation, receipts and GETs measured with `small` sessions in
 * the database and then with `total`, `open` of them active with their addresses watched and their
 * runs closed (the production state after the idle time: an abandoned session costs rows, not a
 * workflow). The rows are inserted by SQL as copies of real sessions: settled ones paid long ago, open
 * ones copied from a session whose run idle-closed (live, so the chain sources watch their addresses;
 * the ones the bench pays are test-mode copies, paid through the simulator like every other figure).
 */
export async function runMillion(
  sys: BenchSystem, merchant: Merchant, destinations: Merchant[],
  opts: { small: number; total: number; open: number; create: number; receipts: number; getSeconds: number; getConcurrency: number; concurrency: number; receiptLoad: ReceiptLoad },
): Promise<MillionResult> {
  const tag = () => `M${randomBytes(6).toString('base64').replace(/[^0-9A-Za-z]/g, 'x').slice(0, 7)}`;
  // Templates: an abandoned session whose run has closed, and a paid one.
  const abandoned = await createShortLived(sys, merchant, destinations, 1);
  const paidTemplate = (await runCreation(sys, merchant, destinations, 1, 1, false, null)).sessions;
  await runReceipts(sys, merchant, paidTemplate, { ...opts.receiptLoad, transfers: 0 });
  await waitClosed(sys.temporal, abandoned.map((s) => s.id), sys.config.workflowIdleMs + 120_000);
  const idleTpl = { sessionId: abandoned[0].id, paymentId: abandoned[0].paymentId };
  const paidTpl = { sessionId: paidTemplate[0].id, paymentId: paidTemplate[0].paymentId };
  let notIdle = 1; // the paid template, in its monitoring window

  const measure = async (total: number, open: number, payable: CreatedSession[], seedSec: number): Promise<MillionPoint> => {
    // After a bulk insert PostgreSQL autovacuums and analyzes the new rows: wait for it, as the cold phase does.
    await settleServers();
    const busy0 = machineTicks();
    const stop = watchConditions(sys.db);
    const created = await runCreation(sys, merchant, destinations, opts.create, opts.concurrency, true, null);
    const paid = await runReceipts(sys, merchant, payable, opts.receiptLoad);
    notIdle += created.sessions.length + payable.length;
    const sample = (await sys.db.raw(`select id from ${T.sessions} tablesample system (1) limit 2000`)).rows.map((r: { id: string }) => r.id);
    const get = await load({ baseUrl: sys.baseUrl, key: merchant.key, paths: [...sample, ...created.sessions.map((s) => s.id)].map((id) => `/checkout-sessions/${id}`),
      seconds: opts.getSeconds, concurrency: opts.getConcurrency }, () => 0);
    const conditions = { ...stop(), machineBusyPct: busyPct(busy0, machineTicks()) };
    const running = await countRunning(sys);
    const point = {
      total, open, seedSec, createdPerSec: created.result.sessionsPerSec, create: created.result.latency, receiptToPaid: paid.toPaid,
      getPerSec: get.requestsPerSec, get: get.latency, running, notIdle, rssMb: processMemory().rssMb, conditions,
    };
    console.log(`  … ${total} sessions (${open} open): ${point.createdPerSec} created/s, receipt → paid p50 ${paid.toPaid.p50} ms, `
      + `GET p99 ${get.latency.p99} ms, Running ${running} (not idle ${notIdle}), RSS ${point.rssMb} MB, box ${conditions.machineBusyPct}% busy, load ${conditions.loadAvg1m}`);
    return point;
  };

  /** Seeds `settled` paid and `open` idle-closed sessions (`payable` of the open ones test-mode); returns the payable ones and the seconds taken. */
  const grow = async (settled: number, open: number, payable: number) => {
    const t0 = performance.now();
    const t = { settled: tag(), live: tag(), test: tag() };
    if (settled > 0) await seedSessions(sys.db, { ...paidTpl, from: 1, count: settled, tag: t.settled, livemode: true, ageMs: 2 * DAY_MS, stepMs: 10_000 });
    if (open - payable > 0) await seedSessions(sys.db, { ...idleTpl, from: 1, count: open - payable, tag: t.live, livemode: true });
    await seedSessions(sys.db, { ...idleTpl, from: 1, count: payable, tag: t.test, livemode: false });
    const seedSec = Math.round((performance.now() - t0) / 100) / 10;
    return { seedSec, payable: Array.from({ length: payable }, (_, i) => { const ids = seededIds(t.test, i + 1); return { id: ids.sessionId, paymentId: ids.paymentId }; }) };
  };

  const count = async () => Number((await sys.db(T.sessions).count({ n: '*' }))[0].n);
  const openShare = opts.open / opts.total;
  const smallOpen = Math.max(opts.receipts, Math.round(opts.small * openShare));
  const a = await grow(Math.max(0, opts.small - (await count()) - smallOpen), smallOpen, opts.receipts);
  const small = await measure(await count(), smallOpen, a.payable, a.seedSec);
  const b = await grow(Math.max(0, opts.total - (await count()) - (opts.open - smallOpen)), opts.open - smallOpen, opts.receipts);
  const large = await measure(await count(), opts.open, b.payable, b.seedSec);
  const r = (x: number, y: number) => Math.round((x / y) * 100) / 100;
  return {
    points: [small, large],
    ratios: { createRate: r(large.createdPerSec, small.createdPerSec), receiptP50: r(large.receiptToPaid.p50, small.receiptToPaid.p50),
      getP99: r(large.get.p99, small.get.p99), rss: r(large.rssMb, small.rssMb) },
  };
}

/** The million table for the run's Markdown. */
export function millionMarkdown(m: MillionResult | undefined): string[] {
  if (!m) return [];
  const [s, l] = m.points;
  const goal = (ok: boolean, what: string) => `${ok ? '✅' : '❌'} ${what}`;
  const rows: Array<[string, string | number, string | number, string]> = [
    ['sessions in the database (open, runs idle-closed)', `${s.total} (${s.open})`, `${l.total} (${l.open})`, `rows inserted in ${s.seedSec} / ${l.seedSec} s`],
    ['creation, sessions/s', s.createdPerSec, l.createdPerSec, goal(m.ratios.createRate >= 0.9, `${m.ratios.createRate}× (≥ 0.9)`)],
    ['receipt → paid p50 · p99 ms (signal-with-start of an idle-closed session)', `${s.receiptToPaid.p50} · ${s.receiptToPaid.p99}`, `${l.receiptToPaid.p50} · ${l.receiptToPaid.p99}`, goal(m.ratios.receiptP50 <= 1.2, `${m.ratios.receiptP50}× (≤ 1.2)`)],
    ['GET p50 · p99 ms (req/s)', `${s.get.p50} · ${s.get.p99} (${s.getPerSec})`, `${l.get.p50} · ${l.get.p99} (${l.getPerSec})`, goal(m.ratios.getP99 <= 1.2, `${m.ratios.getP99}× (≤ 1.2)`)],
    ['Running session workflows (visibility) · sessions not idle', `${s.running} · ${s.notIdle}`, `${l.running} · ${l.notIdle}`, goal(Math.abs(l.running - l.notIdle) <= Math.max(5, l.notIdle * 0.05), 'Running ≈ not idle')],
    ['process RSS after GC (worker + API + watcher), MB', s.rssMb, l.rssMb, goal(m.ratios.rss <= 1.2, `${m.ratios.rss}× (flat)`)],
    ['box: all cores busy % · load · process/PG/Temporal CPU %', box(s), box(l), ''],
  ];
  return ['', 'A million sessions: the same work at each size (one run):', '', '| measure | small | large | result |', '| --- | --- | --- | --- |',
    ...rows.map((x) => `| ${x.join(' | ')} |`)];
}

const box = (p: MillionPoint) => `${p.conditions.machineBusyPct} · ${p.conditions.loadAvg1m} · ${p.conditions.processCpuPct}/${p.conditions.childCpuPct.postgres ?? '–'}/${p.conditions.childCpuPct.temporal ?? '–'}`;
