import fs from 'node:fs';
import path from 'node:path';
import type { BaselineResult } from './baseline';
import { coldMarkdown, type ColdPoint } from './coldSessions';
import { millionMarkdown, type MillionResult } from './million';
import type { CurvePoint } from './curve';
import type { LedgerResult } from './ledger';
import type { PhaseConditions } from './conditions';
import type { OpenSessionsResult } from './openSessions';
import type { BenchOptions } from './options';
import type { ReadResult } from './reads';
import type { ReceiptResult } from './receipts';
import type { CreationResult } from './sessions';
import type { WatchResult } from './watch';
import type { WebhookLoadResult } from './webhookLoad';
import type { Summary } from './stats';

/** Everything one run measured: the content of bench/results/latest.json. */
export interface BenchResults {
  label: string;
  startedAt: string;
  durationSec: number;
  machine: { cpus: number; cpuModel: string; node: string; loadAvgStart: number[]; loadAvgEnd: number[] };
  infra: { postgres: string; temporal: string };
  options: BenchOptions;
  baseline?: BaselineResult;
  creation?: CreationResult;
  receipts?: ReceiptResult;
  reads?: ReadResult;
  ledger?: LedgerResult;
  curve?: CurvePoint[];
  open?: OpenSessionsResult;
  watch?: WatchResult;
  webhooks?: WebhookLoadResult;
  cold?: ColdPoint[];
  million?: MillionResult;
  /** CPU, event-loop delay and machine load during each phase. */
  conditions?: Partial<Record<string, PhaseConditions>>;
  /** Timing spans from workflow histories of sample sessions (see spans.ts). */
  spans?: Record<string, Summary>;
  profile?: { phase: string; file: string; top: { fn: string; ms: number; pct: number }[] };
}

const f = (x: number | null | undefined) => (x === null || x === undefined || Number.isNaN(x) ? '–' : String(x));
const row = (cells: (string | number | null | undefined)[]) => `| ${cells.map((c) => (typeof c === 'string' ? c : f(c))).join(' | ')} |`;
const lat = (s: Summary | null | undefined) => (s ? [s.p50, s.p95, s.p99] : [null, null, null]);
const goal = (met: boolean, text: string) => `${text} ${met ? '✅' : '❌'}`;
const offered = (p: ReceiptResult) => (p.ratePerSec ? `${p.ratePerSec}/s offered` : `${p.concurrency} in flight`);

/** The results as the Markdown table printed at the end of a run (latencies in ms). */
export function toMarkdown(r: BenchResults): string {
  const o = r.options;
  const lines = [
    `### Benchmark \`${r.label}\`: ${r.startedAt}, ${r.durationSec} s`,
    '',
    `${r.machine.cpus} × ${r.machine.cpuModel}, Node ${r.machine.node}; load average ${r.machine.loadAvgStart.join(' / ')} at start, `
      + `${r.machine.loadAvgEnd.join(' / ')} at end; PostgreSQL ${r.infra.postgres}, Temporal ${r.infra.temporal}; `
      + `worker ${o.worker === 'own-process' ? 'in its own process (`npm run start:worker`)' : 'in the API\'s process (`npm start`)'}.`,
    '',
    '| # | measure | throughput | p50 ms | p95 ms | p99 ms | goal |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  ];
  const b = r.baseline;
  if (b) {
    lines.push(row(['1', `bare workflow: start → signal → complete (${b.workflows}, ${b.concurrency} in flight)`, `${b.workflowsPerSec} wf/s`, ...lat(b.signalToComplete), 'the limit']));
    lines.push(row(['1', 'bare workflow: start call', '', ...lat(b.start), '']));
  }
  const c = r.creation;
  if (c) {
    const ratio = c.ratioToBaseline === null ? '' : ` = ${c.ratioToBaseline}× baseline`;
    const met = c.ratioToBaseline === null ? '' : goal(c.ratioToBaseline >= 0.75, '≥ 0.75×');
    lines.push(row(['2', `POST /checkout-sessions (${c.sessions}, ${c.concurrency} in flight${o.idempotencyKeys ? ', Idempotency-Key' : ''})`, `${c.sessionsPerSec} sessions/s${ratio}`, ...lat(c.latency), met]));
    if (c.alone) lines.push(row(['2', `… alone (${c.alone.count}, 1 in flight)`, '', ...lat(c.alone), '']));
  }
  const p = r.receipts;
  if (p) {
    lines.push(row(['3', `receipt → \`paid\` in the read model (${p.sessions}, ${offered(p)})`, `${p.paidPerSec} paid/s`, ...lat(p.toPaid), goal(p.toPaid.p50 <= 100, 'p50 ≤ 100')]));
    lines.push(row(['3', 'receipt → 2 transfers posted', '', ...lat(p.toTransfers), '']));
    lines.push(row(['3', 'receipt call (simulator: store + signal)', '', ...lat(p.receiveCall), '']));
  }
  const g = r.reads;
  if (g) {
    lines.push(row(['4', `bare Express 5 + pg primary-key read of the same JSON, own process (${g.bare.errors} errors; ${g.bare.serverCpuMsPerRequest} CPU ms/request)`,
      `${g.bare.requestsPerSec} req/s`, ...lat(g.bare.latency), 'the limit']));
    lines.push(row(['4', `GET /checkout-sessions/{id} (${g.sessions} sessions, ${g.concurrency} connections, ${g.seconds} s, ${g.errors} errors; `
      + `${g.serverCpuMsPerRequest} CPU ms/request = ${g.cpuRatioToBare}× bare's efficiency)`,
      `${g.requestsPerSec} req/s = ${g.ratioToBare}× bare`, ...lat(g.latency), goal(g.ratioToBare >= 0.6, '≥ 0.6× bare')]));
  }
  const h = r.open;
  if (h) {
    const temporal = h.temporalServerRssMb === null ? '' : `; Temporal server ${h.temporalServerRssMb} MB`;
    lines.push(row(['5', `${h.sessions} open sessions held (created at ${h.createdPerSec}/s)`, `${o.worker === 'own-process' ? 'RSS of this process + the worker\'s' : 'process RSS'} ${h.before.rssMb} → ${h.held.rssMb} MB (${h.rssPerSessionKb} KB/session), heap ${h.before.heapUsedMb} → ${h.held.heapUsedMb} MB${temporal}`, '', '', '', '']));
    lines.push(row(['5', `… RSS as they accumulate (worker cache ${h.maxCachedWorkflows})`, h.rssCurve.map((c) => `${c.sessions}: ${c.rssMb} MB`).join(' · '), '', '', '',
      goal(Math.max(...h.rssCurve.map((c) => c.rssMb)) <= 1024, '≤ 1 GiB at every point')]));
    const busy = `; meanwhile CPU process ${h.receiptConditions.processCpuPct} %, ${Object.entries(h.receiptConditions.childCpuPct).map(([k, v]) => `${k} ${v} %`).join(', ')}, load ${h.receiptConditions.loadAvg1m}`;
    const settled = `; servers quiet after ${h.settle.seconds} s`;
    lines.push(row(['5', `receipt → \`paid\` while they wait (${h.receipts.sessions}${h.paidOutsideCache ? ', all outside the worker cache' : ''}, ${offered(h.receipts)}${settled}${busy})`, `${h.receipts.paidPerSec} paid/s`, ...lat(h.receipts.toPaid), goal(h.receipts.toPaid.p50 <= 100, 'p50 ≤ 100')]));
  }
  const l = r.ledger;
  if (l) {
    lines.push(row(['6', `a receipt's ledger postings (payment, fee, 2 transfers), merchant with 0 prior entries (${l.receipts})`, '', ...lat(l.fresh), '']));
    lines.push(row(['6', `… merchant with ${l.priorEntries} prior entries`, `${l.ratio}× the fresh p50`, ...lat(l.heavy), goal(l.ratio <= 1.2, 'ratio ≈ 1 (≤ 1.2)')]));
    lines.push(row(['6', '… deriving that merchant\'s balance from its entries (the old per-debit check)', '', ...lat(l.derivedBalance), '']));
  }
  const w = r.watch;
  if (w) {
    const what = `a block of ${w.outputsPerBlock} outputs, ${w.watchedPerBlock} paying watched addresses (${w.blocks} blocks)`;
    lines.push(row(['8', `block scan pass, ${w.small.watched} live addresses watched: ${what}`, '', ...lat(w.small.scan), '']));
    lines.push(row(['8', `… ${w.large.watched} watched (made by SQL in ${w.large.fillSec} s)`, `${w.scanRatio}× the ${w.small.watched} p50`, ...lat(w.large.scan), goal(w.scanRatio <= 1.5, '≤ 1.5×')]));
    lines.push(row(['8', `… the block's indexed address lookup alone, ${w.small.watched} → ${w.large.watched} watched`, `${w.lookupRatio}×`, ...lat(w.large.lookup), '']));
    lines.push(row(['8', `… a block paying a live session among the ${w.large.watched} (scan pass with store + signal ${w.credit.scanMs} ms): block → \`paid\` in GET`, '', w.credit.blockToPaidMs, '', '', `${w.credit.status} ${w.credit.status === 'paid' ? '✅' : '❌'}`]));
    const busy = (k: PhaseConditions) => `load ${k.loadAvg1m}, CPU % of a core: process ${k.processCpuPct}, ${Object.entries(k.childCpuPct).map(([n, v]) => `${n} ${v}`).join(', ')}`
      + `; CPU ms per block: ${Object.entries(k.cpuMs).map(([n, v]) => `${n} ${Math.round((v / w.blocks) * 10) / 10}`).join(', ')}`;
    lines.push('', `Watch: ${w.large.watched - w.small.watched} addresses inserted in ${w.large.fillSec} s (${w.large.rowsPerSec} rows/s: a session, an address and a payment each). `
      + `While scanning at ${w.small.watched}: ${busy(w.small.conditions)}; at ${w.large.watched}: ${busy(w.large.conditions)}.`, '');
  }
  const hk = r.webhooks;
  if (hk) {
    const dead = hk.mode === '503' ? '503 + Retry-After: 1' : 'accepts, never answers';
    lines.push(row(['11', `receipt → \`paid\`, no webhook endpoint (${hk.quiet.sessions}, ${offered(hk.quiet)})`, '', ...lat(hk.quiet.toPaid), '']));
    lines.push(row(['11', `… with ${hk.pending} deliveries pending to a dead endpoint (${dead}; relay started them in ${hk.dispatchSec} s; ${hk.loaded.attemptsPerSec} attempts/s during)`,
      `${hk.ratio}× the quiet p50`, ...lat(hk.loaded.toPaid), goal(hk.ratio <= 1.2, '≤ 1.2×')]));
    const busy = (k: PhaseConditions) => `load ${k.loadAvg1m}, CPU % of a core: process ${k.processCpuPct}, ${Object.entries(k.childCpuPct).map(([n, v]) => `${n} ${v}`).join(', ')}`;
    lines.push('', `Webhooks: while paying with no endpoint: ${busy(hk.quiet.conditions)}; with the deliveries pending: ${busy(hk.loaded.conditions)}.`, '');
  }
  if (r.curve && r.curve.length > 0) {
    lines.push('', 'Cost curve (sessions already in the database → the same work; latencies p50 · p99 ms):', '',
      '| sessions in the DB | created/s (16 in flight) | create | receipt → paid | GET req/s | GET |', '| --- | --- | --- | --- | --- | --- |',
      ...r.curve.map((c) => row([c.rows, c.createdPerSec, `${f(c.create.p50)} · ${f(c.create.p99)}`, `${f(c.receiptToPaid.p50)} · ${f(c.receiptToPaid.p99)}`,
        c.getPerSec, `${f(c.get.p50)} · ${f(c.get.p99)}`])));
  }
  if (r.conditions) {
    const items: Record<string, number | undefined> = {
      baseline: b?.workflows, create: c?.sessions, watch: w ? w.blocks * 2 : undefined, receipt: p?.sessions, get: g?.requests, ledger: l ? l.receipts * 2 : undefined, open: h ? h.sessions + h.receipts.sessions : undefined,
      webhooks: hk ? hk.quiet.sessions + hk.loaded.sessions : undefined,
    };
    const ownWorker = r.options.worker === 'own-process';
    lines.push('', `Conditions per phase: CPU of this process (API + ${ownWorker ? '' : 'worker + '}watcher + bench client) and of the processes it started `
      + `(the embedded servers${ownWorker ? ', the worker' : ''} and the bench's own helpers); CPU ms per item (workflow, session, receipt, request) is the load-independent cost`
      + `${ownWorker ? '; DB statements are this process\'s only (the worker\'s run in its own)' : ''}:`, '',
      '| phase | s | CPU % of a core | CPU ms per item | DB statements per item | event-loop delay p50 / p99 / max ms | load avg 1 min |',
      '| --- | --- | --- | --- | --- | --- | --- |',
      ...Object.entries(r.conditions).map(([name, cond]) => {
        const k = cond!;
        const n = items[name];
        const per = (v: number) => Math.round((v / (n ?? 1)) * 100) / 100;
        const threads = k.threadCpuMs ? ` (${Object.entries(k.threadCpuMs).map(([t, v]) => `${t} ${per(v)}`).join(', ')})` : '';
        const perItem = n ? Object.entries(k.cpuMs).filter(([, v]) => v > 0).map(([w, v]) => `${w} ${per(v)}${w === 'process' ? threads : ''}`).join(', ') : '';
        return row([name, k.seconds, `process ${k.processCpuPct}, ${Object.entries(k.childCpuPct).map(([w, v]) => `${w} ${v}`).join(', ')}`,
          perItem, n ? Math.round((k.dbQueries / n) * 10) / 10 : '', `${k.eventLoopDelayMs.p50} / ${k.eventLoopDelayMs.p99} / ${k.eventLoopDelayMs.max}`, k.loadAvg1m]);
      }));
  }
  if (r.spans && Object.keys(r.spans).length > 0) {
    lines.push('', 'Where the time goes (workflow histories of sample sessions, server timestamps, ms):', '', ...spanTable(r.spans));
  }
  if (r.open?.spans && Object.keys(r.open.spans).length > 0) {
    lines.push('', `Where the time goes for the open sessions paid${r.open.paidOutsideCache ? ' outside the worker cache (the signal\'s workflow task fetches and replays the history)' : ''}:`, '',
      ...spanTable(r.open.spans));
  }
  lines.push(...coldMarkdown(r.cold), ...millionMarkdown(r.million));
  return `${lines.join('\n')}\n`;
}

function spanTable(spans: Record<string, Summary>): string[] {
  return ['| span | n | p50 | p95 | mean |', '| --- | --- | --- | --- | --- |',
    ...Object.entries(spans).map(([name, s]) => row([name, s.count, s.p50, s.p95, s.mean]))];
}

/** Writes `<outDir>/latest.json` and `latest.md`, and a copy under the run's label when it has one. */
export function writeResults(r: BenchResults, outDir: string): string[] {
  fs.mkdirSync(outDir, { recursive: true });
  const written: string[] = [];
  for (const name of new Set(['latest', r.label])) {
    const base = path.join(outDir, name);
    fs.writeFileSync(`${base}.json`, `${JSON.stringify(r, null, 2)}\n`);
    fs.writeFileSync(`${base}.md`, toMarkdown(r));
    written.push(`${base}.json`, `${base}.md`);
  }
  return written;
}
