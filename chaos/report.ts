import os from 'node:os';
import type { Observed } from './checks';
import type { FaultCounts } from './cluster';
import type { FrontendLoss } from './faults';
import type { HttpStats } from './http';
import type { RecoveryFigures } from './probes';
import type { ChaosOptions } from './options';
import type { WebhookReceiver } from './receiver';
import type { TrafficLog } from './traffic';
import type { MoneyOutLog } from './moneyOut';

/** What a run did and found. */
export interface RunFigures {
  opts: ChaosOptions;
  traffic: TrafficLog;
  observed: Observed;
  moneyOut: MoneyOutLog;
  stats: HttpStats;
  receiver: WebhookReceiver;
  counts: FaultCounts;
  chaosMs: number;
  settleMs: number;
  reconcileCode: number | null;
  failures: string[];
  /** The scripted failover: what was killed, and what the probe payments measured around it. */
  failover?: { killed: string[]; atMs: number; loadAtKill: number[]; recovery: RecoveryFigures; frontend?: FrontendLoss };
  /** Resident memory of each Temporal cluster process at the end of the run. */
  temporalRssMiB?: Record<string, number>;
}

/** Prints the figures of a run and its verdict, every failure on its own line. */
export function printReport(f: RunFigures, print: (line: string) => void): void {
  const receipts = f.traffic.sessions.flatMap((s) => s.receipts);
  const sats = receipts.reduce((a, r) => a + r.amount, 0n);
  const transfers = f.observed.transfers.length;
  const paid = [...f.observed.sessions.values()].filter((s) => s.status === 'paid').length;
  const k = f.counts.kills;
  const rows: [string, string][] = [
    ['seed', String(f.opts.seed)],
    ['sessions', `${f.traffic.sessions.length} created (${paid} paid, ${f.traffic.sessions.filter((s) => s.deactivated).length} deactivated)`],
    ['receipts', `${receipts.length} accepted from ${f.traffic.receiveRequests} receive requests (${f.traffic.duplicateAnswers} answered as duplicates)`],
    ['sats', `${sats} received, every one on the ledger`.replace(', every one on the ledger', f.failures.length ? '' : ', every one on the ledger')],
    ['transfers', String(transfers)],
    ['money out', moneyOutLine(f)],
    ['kills (SIGKILL)', `${k.api + k.worker + k.watcher} (api ${k.api}, worker ${k.worker}, watcher ${k.watcher})`],
    ['restarts', `Temporal ${f.counts.temporalRestarts}${f.failover ? ' (the failover below)' : f.temporalRssMiB ? ' (a history process and a frontend SIGKILLed)' : ''}, PostgreSQL ${f.counts.postgresRestarts}`],
    ['exits', `${f.counts.exits.api + f.counts.exits.worker + f.counts.exits.watcher} parts exited on their own and were restarted (api ${f.counts.exits.api}, worker ${f.counts.exits.worker}, watcher ${f.counts.exits.watcher})`],
    ['HTTP', `${[...f.stats.byStatus].sort(([a], [b]) => a - b).map(([s, n]) => `${s}×${n}`).join(' ')}; ${f.stats.networkErrors} connection errors, ${f.stats.retries} retries`],
    ['events', `${f.observed.events.length} recorded, ${f.receiver.verified.size} delivered and verified (${f.receiver.requests} webhook requests)`],
    ['reconcile', `exit ${f.reconcileCode}`],
    ['duration', `${(f.chaosMs / 1000).toFixed(1)} s of traffic and faults, ${(f.settleMs / 1000).toFixed(1)} s to quiescence`],
  ];
  if (f.failover) rows.push(...failoverRows(f.failover));
  if (f.temporalRssMiB) rows.push(['temporal RSS', Object.entries(f.temporalRssMiB).map(([n, v]) => `${n} ${v}`).join(', ') + ' MiB']);
  for (const [name, value] of rows) print(`  ${name.padEnd(16)} ${value}`);
  for (const note of f.traffic.notes.slice(0, 5)) print(`  note: ${note}`);
  if (f.failures.length === 0) {
    print('chaos: PASS: every sat accounted for');
    return;
  }
  print(`chaos: FAIL: ${f.failures.length} problem(s)`);
  for (const failure of f.failures.slice(0, 50)) print(`  - ${failure}`);
}

/** The failover's lines of a report: what was killed, how long until payments flowed again, and the box's load. */
export function failoverRows(failover: NonNullable<RunFigures['failover']>): [string, string][] {
  const r = failover.recovery;
  const s = (ms: number | null) => (ms === null ? 'n/a' : `${(ms / 1000).toFixed(1)} s`);
  return [
    ['failover', `SIGKILL of ${failover.killed.join(', ')} at once, at ${new Date(failover.atMs).toISOString()}`],
    ['recovery', `first payment sent after the kill paid ${s(r.firstPaidAfterKillMs)} after it; every slowed payment paid by ${s(r.allRecoveredMs)}; `
      + `slowest ${s(r.worstMs)} (baseline send → paid ${s(r.baselineMs)}, ${r.probes} probes, ${r.unpaid} unpaid)`],
    ...(failover.frontend ? [frontendRow(failover.frontend)] : []),
    ['load', `load average (1, 5, 15 min) ${load(failover.loadAtKill)} at the kill, ${load(os.loadavg())} at the end, on ${os.cpus().length} cores`],
  ];
}

/** What the load balancer in front of the frontends saw of the frontend's loss. */
function frontendRow(f: FrontendLoss): [string, string] {
  const reconnect = f.firstReconnectMs === null ? 'no new connection before its restart' : `first new connection piped ${(f.firstReconnectMs / 1000).toFixed(1)} s after the kill`;
  return ['frontend', `${f.name} carried ${f.liveAtKill} of the product's connections through the balancer when killed; ${reconnect}; `
    + `${f.skipped} connects to it skipped while down; connections over the run ${Object.entries(f.connections).map(([n, c]) => `${n} ${c}`).join(', ')}`];
}

function load(averages: number[]): string {
  return averages.map((l) => l.toFixed(1)).join(' ');
}

function moneyOutLine(f: RunFigures): string {
  const count = (kind: string, status: string) => f.moneyOut.objects.filter((o) => o.kind === kind && f.observed.moneyOut.get(o.id)?.status === status).length;
  const sats = f.moneyOut.objects.filter((o) => o.expected === 'paid').reduce((a, o) => a + o.sats, 0n);
  return `payouts ${count('payout', 'paid')} paid, ${count('payout', 'failed')} failed; refunds ${count('refund', 'succeeded')} succeeded, `
    + `${count('refund', 'failed')} failed; ${f.moneyOut.refused} refused (400); ${sats} sats out`;
}
