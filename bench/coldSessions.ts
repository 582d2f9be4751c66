import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import type { Client } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { settleServers, watchConditions, type PhaseConditions } from './conditions';
import { mustCall } from './http';
import { ms, type Ts } from './localActivityMarker';
import { processMemory } from './memory';
import { ReadModelPoller } from './readModelPoller';
import { seedSessions, seededIds } from './seedSessions';
import { runCreation, SESSION_SATS, type CreatedSession } from './sessions';
import { summarize, within, type Summary } from './stats';
import type { BenchSystem, Merchant } from './system';

/** The kinds of session a receipt can reach, by where its workflow is. */
export const GROUPS = ['cached', 'evicted', 'idleClosed', 'idleSeeded'] as const;
export type Group = (typeof GROUPS)[number];

/** Where one group's receipt → paid went, read from its histories (server timestamps, ms). */
export interface ColdSpans {
  /** Receipt signal → the workflow task that takes it is picked up (the task queue: sticky or not). */
  signalToTaskStarted: Summary;
  /** That task's run on the worker: history fetched past the first page, context, replay, activation, local activities. */
  taskRun: Summary;
  /** Events of the run the receipt reaches: an evicted run's are replayed; an idle-closed run's are not (a fresh run starts). */
  historyEvents: Summary;
  /** Receipt signal → `creditReceipt` completed. */
  signalToCredit: Summary;
}

/** One point: `open` sessions waiting, receipts paid to each group interleaved on one schedule. */
export interface ColdPoint {
  open: number;
  createdPerSec: number;
  receiptToPaid: Record<Group, Summary>;
  /** Cold group p50 over the cached p50 in the same run (the goal: ≤ 1.5). */
  ratioToCached: Record<Exclude<Group, 'cached'>, number>;
  spans: Record<Group, ColdSpans>;
  /**
   * CPU ms per receipt by group, from a second batch paid one group at a time at the same rate (this
   * process = API + worker + watcher, PostgreSQL, Temporal): the load-independent cost of each kind.
   */
  cpuPerReceipt: Record<Group, Record<string, number>>;
  /** Running session workflows (visibility) when the receipts start: the sessions not idle. */
  running: number;
  /** This process's RSS (worker + API + watcher) when the receipts start. */
  rssMb: number;
  settle: { seconds: number; serversCpuPct: number };
  /** The box while the receipts ran: all cores busy % (everyone's work), this run's processes, load average. */
  conditions: PhaseConditions & { machineBusyPct: number };
}

const TTL_SECONDS = 1;

/**
 * Receipt → paid for sessions a receipt finds in four places, at each size of the open set, in one
 * schedule so they share the box's load: `cached` (the run is in the worker's sticky cache), `evicted`
 * (running, pushed out of the cache by newer sessions: the task fetches the whole history and replays
 * it), `idleClosed` (the run closed after its payment expired and the idle time passed: the receipt
 * starts a fresh run by signal-with-start, which loads the session from the read model) and
 * `idleSeeded` (rows copied from an idle-closed session, never run here: the million-session state).
 * The open set is made of seeded idle-closed sessions (rows) plus the ones the API creates.
 */
export async function runColdSessions(
  sys: BenchSystem, merchant: Merchant, destinations: Merchant[],
  opts: { sizes: number[]; receipts: number; ratePerSec: number; concurrency: number; pollMs: number },
): Promise<ColdPoint[]> {
  const tag = `Cold${randomBytes(3).toString('hex').slice(0, 4)}`.replace(/[^0-9A-Za-z]/g, 'x');
  const cache = sys.config.worker.maxCachedWorkflows;
  const points: ColdPoint[] = [];
  let seeded = 0;
  for (const open of opts.sizes) {
    // Abandoned sessions: their payment expires after 1 s and their run closes after the idle time.
    const R = opts.receipts;
    const idle = await createShortLived(sys, merchant, destinations, 2 * R + 1);
    const template = idle.pop()!;
    // Evicted: the 2R oldest, pushed out by cache + 2R newer. Cached: the 2R newest, which stay cached while the
    // 6R cold ones paid later enter the cache (it needs cache ≥ 8R).
    if (cache < 8 * R) throw new Error(`--cold-receipts ${R} needs a worker cache of at least ${8 * R} (WORKER_MAX_CACHED_WORKFLOWS)`);
    const warm = await runCreation(sys, merchant, destinations, cache + 4 * R, opts.concurrency, true, null);
    await waitClosed(sys.temporal, [...idle, template].map((s) => s.id), sys.config.workflowIdleMs + TTL_SECONDS * 1000 + 120_000);
    const grow = Math.max(0, open - seeded - warm.sessions.length - idle.length);
    if (grow > 0) await seedSessions(sys.db, { sessionId: template.id, paymentId: template.paymentId, from: seeded + 1, count: grow, tag, livemode: false });
    const seededSample = Array.from({ length: 2 * R }, (_, i) => seeded + 1 + Math.floor((i * grow) / (2 * R))).map((n) => {
      const ids = seededIds(tag, n);
      return { id: ids.sessionId, paymentId: ids.paymentId };
    });
    seeded += grow;
    const groups: Record<Group, CreatedSession[]> = {
      // The newest stay cached; the oldest of this batch were pushed out by cache + receipts newer ones.
      cached: warm.sessions.slice(-2 * R),
      evicted: warm.sessions.slice(0, 2 * R),
      idleClosed: idle,
      idleSeeded: grow > 0 ? seededSample : [],
    };
    const settle = await settleServers();
    const running = await countRunning(sys);
    const rssMb = processMemory().rssMb;
    const history = Object.fromEntries(await Promise.all(GROUPS.map(async (g) => [g, await historyLengths(sys.temporal, groups[g].slice(0, 15))] as const)));
    const busy0 = machineTicks();
    const stop = watchConditions(sys.db);
    const first = (g: Group) => groups[g].slice(0, R);
    const toPaid = await payInterleaved(sys, merchant, Object.fromEntries(GROUPS.map((g) => [g, first(g)])) as Record<Group, CreatedSession[]>, opts.ratePerSec, opts.pollMs);
    const conditions = { ...stop(), machineBusyPct: busyPct(busy0, machineTicks()) };
    const cpuPerReceipt = {} as Record<Group, Record<string, number>>;
    for (const g of GROUPS) {
      const rest = groups[g].slice(R);
      if (rest.length === 0) continue;
      const stopGroup = watchConditions(sys.db);
      await payInterleaved(sys, merchant, { ...Object.fromEntries(GROUPS.map((k) => [k, []])), [g]: rest } as Record<Group, CreatedSession[]>, opts.ratePerSec, opts.pollMs);
      await new Promise((r) => setTimeout(r, 2_000)); // the transfers after each paid session
      const c = stopGroup();
      cpuPerReceipt[g] = Object.fromEntries(Object.entries(c.cpuMs).filter(([k]) => ['process', 'postgres', 'temporal'].includes(k))
        .map(([k, v]) => [k, Math.round((v / rest.length) * 10) / 10]));
    }
    const spans = Object.fromEntries(await Promise.all(GROUPS.map(async (g) => [g, {
      ...(await coldSpans(sys.temporal, groups[g].slice(0, 15).map((s) => s.id))), historyEvents: summarize(history[g]),
    }] as const))) as Record<Group, ColdSpans>;
    const receiptToPaid = Object.fromEntries(GROUPS.map((g) => [g, summarize(toPaid[g])])) as Record<Group, Summary>;
    const ratio = (g: Group) => Math.round((receiptToPaid[g].p50 / receiptToPaid.cached.p50) * 100) / 100;
    points.push({
      open: seeded + warm.sessions.length + idle.length, createdPerSec: warm.result.sessionsPerSec, receiptToPaid,
      ratioToCached: { evicted: ratio('evicted'), idleClosed: ratio('idleClosed'), idleSeeded: ratio('idleSeeded') },
      spans, cpuPerReceipt, running, rssMb, settle, conditions,
    });
    console.log(`  … ${open} open: receipt → paid p50 ${GROUPS.map((g) => `${g} ${receiptToPaid[g].p50}`).join(', ')} ms; `
      + `box ${conditions.machineBusyPct}% busy, load ${conditions.loadAvg1m}`);
  }
  return points;
}

/** Sessions that expire at once and close their runs after the idle time (abandoned checkouts). */
export async function createShortLived(sys: BenchSystem, merchant: Merchant, destinations: Merchant[], n: number): Promise<CreatedSession[]> {
  const out: CreatedSession[] = [];
  for (let i = 0; i < n; i += 8) {
    out.push(...await Promise.all(Array.from({ length: Math.min(8, n - i) }, async () => {
      const body = await mustCall<{ id: string; payment_id: string }>(sys.baseUrl, merchant.key, 'POST', '/checkout-sessions',
        {
          currency: 'SATS', amount: SESSION_SATS, ttl: TTL_SECONDS, description: 'Bench abandoned order',
          // The same split as every bench session, so a cold receipt does the same work as a cached one.
          transfers: destinations.map((d, k) => ({ destination_account: d.id, percentage: k === 0 ? 10 : 25 })),
        });
      return { id: body.id, paymentId: body.payment_id };
    })));
  }
  return out;
}

/** Waits until every run of `ids` has closed. */
export async function waitClosed(temporal: Client, ids: string[], limitMs: number): Promise<void> {
  const t0 = performance.now();
  for (const id of ids) {
    while ((await temporal.workflow.getHandle(id).describe()).status.name === 'RUNNING') {
      if (performance.now() - t0 > limitMs) throw new Error(`session ${id} did not close its run (is WORKFLOW_IDLE_SECONDS small?)`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

/** Running checkout-session workflows of this run (the visibility API). */
export async function countRunning(sys: BenchSystem): Promise<number> {
  return (await sys.temporal.workflow.count(`WorkflowType="checkoutSession" AND TaskQueue="${sys.taskQueue}" AND ExecutionStatus="Running"`)).count;
}

/** Pays every group's sessions on one fixed schedule, round-robin across the groups. */
async function payInterleaved(sys: BenchSystem, merchant: Merchant, groups: Record<Group, CreatedSession[]>, ratePerSec: number, pollMs: number) {
  const order: Array<[Group, CreatedSession]> = [];
  const longest = Math.max(...GROUPS.map((g) => groups[g].length));
  for (let i = 0; i < longest; i++) for (const g of GROUPS) if (groups[g][i]) order.push([g, groups[g][i]]);
  const toPaid = Object.fromEntries(GROUPS.map((g) => [g, [] as number[]])) as Record<Group, number[]>;
  const poller = await ReadModelPoller.start(sys, pollMs);
  const started = performance.now();
  try {
    await Promise.all(order.map(async ([g, s], i) => {
      const at = started + (i * 1000) / ratePerSec;
      await new Promise((r) => setTimeout(r, Math.max(0, at - performance.now())));
      const paid = poller.whenPaid(s.id);
      await mustCall(sys.baseUrl, merchant.key, 'POST', `/test-helpers/payments/${s.paymentId}/receive`, {
        amount: SESSION_SATS, method: 'onchain', reference: `${randomBytes(32).toString('hex')}:0`,
      });
      toPaid[g].push((await within(paid, 120_000, `${s.id} paid`)) - at);
    }));
  } finally {
    await poller.stop();
  }
  return toPaid;
}

/** Events in each session's current run before any receipt: what a cold worker replays. */
async function historyLengths(temporal: Client, sessions: CreatedSession[]): Promise<number[]> {
  const out: number[] = [];
  for (const s of sessions) {
    try {
      out.push((await temporal.workflow.getHandle(s.id).fetchHistory()).events?.length ?? 0);
    } catch {
      out.push(0); // seeded: no run yet
    }
  }
  return out;
}

/** Signal → the workflow task that took it (queue and run), and → credit done, per session. */
async function coldSpans(temporal: Client, ids: string[]): Promise<Omit<ColdSpans, 'historyEvents'>> {
  const pickup: number[] = [];
  const run: number[] = [];
  const credit: number[] = [];
  for (const id of ids) {
    const events = (await temporal.workflow.getHandle(id).fetchHistory()).events ?? [];
    const s = receiptTask(events);
    if (s) { pickup.push(s.pickup); run.push(s.run); if (Number.isFinite(s.credit)) credit.push(s.credit); }
  }
  return { signalToTaskStarted: summarize(pickup), taskRun: summarize(run), signalToCredit: summarize(credit) };
}

function receiptTask(events: temporal.api.history.v1.IHistoryEvent[]): { pickup: number; run: number; credit: number } | null {
  const at = (e: temporal.api.history.v1.IHistoryEvent) => ms(e.eventTime as Ts);
  const i = events.findIndex((e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'receipt');
  if (i < 0) return null;
  const signalled = at(events[i]);
  const started = events.slice(i).find((e) => e.workflowTaskStartedEventAttributes);
  const completed = started && events.find((e) => Number(e.workflowTaskCompletedEventAttributes?.startedEventId) === Number(started.eventId));
  if (!started || !completed) return null;
  const scheduled = new Set(events.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'creditReceipt').map((e) => Number(e.eventId)));
  const done = events.find((e) => scheduled.has(Number(e.activityTaskCompletedEventAttributes?.scheduledEventId)));
  return { pickup: at(started) - signalled, run: at(completed) - at(started), credit: done ? at(done) - signalled : NaN };
}

/** Busy and total jiffies of the whole machine (every process, every core: the other developers' too). */
export function machineTicks(): { busy: number; total: number } {
  const cpu = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].split(/\s+/).slice(1).map(Number);
  const total = cpu.reduce((a, b) => a + (Number.isFinite(b) ? b : 0), 0);
  const idle = (cpu[3] ?? 0) + (cpu[4] ?? 0);
  return { busy: total - idle, total };
}

export function busyPct(a: { busy: number; total: number }, b: { busy: number; total: number }): number {
  return b.total > a.total ? Math.round(((b.busy - a.busy) / (b.total - a.total)) * 100) : 0;
}

/** The cold-sessions table for the run's Markdown. */
export function coldMarkdown(points: ColdPoint[] | undefined): string[] {
  if (!points || points.length === 0) return [];
  const p50s = (s: Summary) => `${s.p50} · ${s.p95} · ${s.p99}`;
  const lines = ['', 'Cold sessions: receipt → `paid` p50 · p95 · p99 ms by where the session\'s run is, interleaved on one schedule '
    + '(cached: in the worker cache; evicted: running, outside it; idle-closed: the run closed, signal-with-start; seeded: rows of an idle-closed session, never run here):', '',
  '| open | created/s | cached | evicted | idle-closed | seeded | ratio to cached (evicted · idle · seeded; goal ≤ 1.5) | Running | RSS MB | box busy % · load · process/PG/Temporal CPU % |',
  '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |'];
  for (const p of points) {
    const c = p.conditions;
    lines.push(`| ${p.open} | ${p.createdPerSec} | ${GROUPS.map((g) => p50s(p.receiptToPaid[g])).join(' | ')} | `
      + `${p.ratioToCached.evicted} · ${p.ratioToCached.idleClosed} · ${p.ratioToCached.idleSeeded} | ${p.running} | ${p.rssMb} | `
      + `${c.machineBusyPct} · ${c.loadAvg1m} · ${c.processCpuPct}/${c.childCpuPct.postgres ?? '–'}/${c.childCpuPct.temporal ?? '–'} |`);
  }
  lines.push('', 'Where a receipt\'s time goes, by group (histories of 15 sessions each, p50 ms; history = events of the run the receipt reaches: replayed when evicted; an idle-closed run is not replayed, the receipt starts a fresh one):', '',
    '| open | group | history events | signal → task started | task run | signal → credit done |', '| --- | --- | --- | --- | --- | --- |');
  for (const p of points) {
    for (const g of GROUPS) {
      const s = p.spans[g];
      lines.push(`| ${p.open} | ${g} | ${s.historyEvents.p50} | ${s.signalToTaskStarted.p50} | ${s.taskRun.p50} | ${s.signalToCredit.p50} |`);
    }
  }
  lines.push('', 'CPU ms per receipt by group (a second batch paid one group at a time; this process · PostgreSQL · Temporal; includes the 2 transfers):', '',
    '| open | cached | evicted | idle-closed | seeded |', '| --- | --- | --- | --- | --- |');
  for (const p of points) {
    lines.push(`| ${p.open} | ${GROUPS.map((g) => { const c = p.cpuPerReceipt[g]; return c ? `${c.process ?? '–'} · ${c.postgres ?? '–'} · ${c.temporal ?? '–'}` : '–'; }).join(' | ')} |`);
  }
  return lines;
}
