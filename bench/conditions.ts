import fs from 'node:fs';
import os from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Db } from '../src/db/knex';

/** How busy this process and the machine were during one phase: to tell a slow system from a busy box. */
export interface PhaseConditions {
  seconds: number;
  /** CPU time of this process (API, worker, watcher, bench client) per wall second, in % of one core. */
  processCpuPct: number;
  /** CPU of the embedded servers this process started (all their processes), in % of one core. */
  childCpuPct: Record<string, number>;
  /** CPU time spent in the phase, in ms: `process` (this one) and each embedded server. */
  cpuMs: Record<string, number>;
  /**
   * This process's CPU ms by thread (Linux): `main` (the event loop: API, activities, the SDK's JS side),
   * `core` (the SDK core's Rust threads), `other` (Node's other threads, all named `node`: the workflow
   * threads, the libuv pool, V8's GC and compiler helpers).
   */
  threadCpuMs?: Record<string, number>;
  /** Event-loop delay of this process: how long a ready callback waited to run. */
  eventLoopDelayMs: { p50: number; p99: number; max: number };
  /** SQL statements the system sent to PostgreSQL (BEGIN/COMMIT included; the bench's own poll excluded). */
  dbQueries: number;
  /** 1-minute load average at the end of the phase (the machine has `os.cpus().length` cores). */
  loadAvg1m: number;
}

/**
 * Waits until the embedded servers are quiet (PostgreSQL and Temporal together under `maxPct` % of a
 * core for 3 seconds in a row, at most `limitMs`): after a bulk phase they catch up (autovacuum, the
 * dev server's SQLite), and a measurement of sessions that merely wait should not pay for that.
 * Returns the seconds waited and the servers' CPU in the last second.
 */
export async function settleServers(maxPct = 25, limitMs = 120_000): Promise<{ seconds: number; serversCpuPct: number }> {
  const servers = () => { const m = descendantCpuMs(); return (m.get('postgres') ?? 0) + (m.get('temporal') ?? 0); };
  const t0 = performance.now();
  let quiet = 0;
  let pct = 0;
  while (quiet < 3 && performance.now() - t0 < limitMs) {
    const before = servers();
    await new Promise((r) => setTimeout(r, 1_000));
    pct = Math.round((servers() - before) / 10);
    quiet = pct < maxPct ? quiet + 1 : 0;
  }
  return { seconds: Math.round((performance.now() - t0) / 1000), serversCpuPct: pct };
}

/** Starts watching (`db`: the system's pool, whose statements are counted); the returned function stops and reports. */
export function watchConditions(db: Db): () => PhaseConditions {
  let dbQueries = 0;
  const count = () => { dbQueries++; };
  db.on('query', count);
  const histogram = monitorEventLoopDelay({ resolution: 5 });
  histogram.enable();
  const cpu0 = process.cpuUsage();
  const children0 = descendantCpuMs();
  const threads0 = threadCpuMs();
  const t0 = performance.now();
  return () => {
    histogram.disable();
    db.removeListener('query', count);
    const cpu = process.cpuUsage(cpu0);
    const wallMs = performance.now() - t0;
    const ms = (ns: number) => Math.round(ns / 1e5) / 10;
    const threads = threads0 && threadCpuMs();
    const childMs = [...descendantCpuMs()].map(([name, total]) => [name, Math.round(total - (children0.get(name) ?? 0))] as const);
    return {
      seconds: Math.round(wallMs / 100) / 10,
      processCpuPct: Math.round(((cpu.user + cpu.system) / 1000 / wallMs) * 100),
      childCpuPct: Object.fromEntries(childMs.map(([name, total]) => [name, Math.round((total / wallMs) * 100)])),
      cpuMs: Object.fromEntries([['process', Math.round((cpu.user + cpu.system) / 1000)], ...childMs]),
      ...(threads ? { threadCpuMs: Object.fromEntries([...threads].map(([k, v]) => [k, Math.round(v - (threads0!.get(k) ?? 0))])) } : {}),
      eventLoopDelayMs: { p50: ms(histogram.percentile(50)), p99: ms(histogram.percentile(99)), max: ms(histogram.max) },
      dbQueries,
      loadAvg1m: Math.round(os.loadavg()[0] * 100) / 100,
    };
  };
}

/** CPU time (ms) used so far by this process's threads, by kind (see `threadCpuMs` above); null off Linux. */
function threadCpuMs(): Map<string, number> | null {
  const dir = '/proc/self/task';
  if (!fs.existsSync(dir)) return null;
  const tick = 1000 / 100; // USER_HZ
  const out = new Map<string, number>([['main', 0], ['core', 0], ['other', 0]]);
  for (const tid of fs.readdirSync(dir)) {
    try {
      const stat = fs.readFileSync(`${dir}/${tid}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const kind = Number(tid) === process.pid ? 'main' : /^(tokio|temporal|workflow)/.test(comm) ? 'core' : 'other';
      out.set(kind, out.get(kind)! + (Number(fields[11]) + Number(fields[12])) * tick);
    } catch { /* the thread ended */ }
  }
  return out;
}

/** CPU time (ms) used so far by the processes descending from this one, summed per command name. */
export function descendantCpuMs(): Map<string, number> {
  const pid = (entry: string) => Number(entry);
  const tick = 1000 / 100; // USER_HZ is 100 on Linux
  const procs = new Map<number, { ppid: number; comm: string; ms: number }>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      // utime + stime, plus cutime + cstime: the CPU of its children that exited and were reaped (PostgreSQL
      // backends come and go with the pool's connections); without it their CPU would vanish from the sum.
      const own = Number(fields[11]) + Number(fields[12]);
      const reaped = pid(entry) === process.pid ? 0 : Number(fields[13]) + Number(fields[14]);
      procs.set(Number(entry), { ppid: Number(fields[1]), comm, ms: (own + reaped) * tick });
    } catch { /* gone */ }
  }
  const totals = new Map<string, number>();
  for (const [pid, p] of procs) {
    if (pid === process.pid) continue;
    // Walk up to our direct child: its name labels the whole tree (postgres backends, the temporal server).
    let top = p;
    let parent = p.ppid;
    while (parent !== process.pid && procs.has(parent)) { top = procs.get(parent)!; parent = top.ppid; }
    if (parent !== process.pid) continue;
    const name = /postgres/.test(top.comm) ? 'postgres' : /temporal/.test(top.comm) ? 'temporal' : top.comm;
    totals.set(name, (totals.get(name) ?? 0) + p.ms);
  }
  return totals;
}
