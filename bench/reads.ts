import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import type { BareReadRequest } from './bareReadServer';
import type { GetLoadReply, GetLoadRequest } from './getLoad';
import { mustCall } from './http';
import { rate, type Summary } from './stats';
import { databaseUrl, type BenchSystem, type Merchant } from './system';

/** Figures of one GET load. */
export interface LoadFigures {
  requests: number;
  errors: number;
  requestsPerSec: number;
  latency: Summary;
  /** CPU of the serving process per request (ms): load-independent, unlike req/s on a shared machine. */
  serverCpuMsPerRequest: number;
}

/** Figures of the GET phase: the API and, in the same run, a bare Express + pg read of the same JSON. */
export interface ReadResult extends LoadFigures {
  seconds: number;
  concurrency: number;
  sessions: number;
  /** Express 5 + pg primary-key read of a copy of each session's JSON, in its own process (bareReadServer.ts). */
  bare: LoadFigures;
  /** API req/s ÷ bare req/s (goal ≥ 0.6). */
  ratioToBare: number;
  /** Bare CPU per request ÷ API CPU per request: the same comparison without the machine's load. */
  cpuRatioToBare: number;
}

const BARE_TABLE = 'bench_bare_rows';

/**
 * Runs the same closed-loop GET load (getLoad.ts, its own process, `concurrency` keep-alive
 * connections, random sessions) against the bare baseline for `seconds`, then against
 * `GET /checkout-sessions/{id}` for `seconds`, and compares them.
 */
export async function runReads(sys: BenchSystem, merchant: Merchant, ids: string[], seconds: number, concurrency: number): Promise<ReadResult> {
  await sys.db.raw(`create table if not exists ${BARE_TABLE} (id text primary key, body jsonb not null)`);
  for (const id of ids) {
    const body = await mustCall(sys.baseUrl, merchant.key, 'GET', `/checkout-sessions/${id}`);
    await sys.db.raw(`insert into ${BARE_TABLE} (id, body) values (?, ?) on conflict (id) do update set body = excluded.body`, [id, JSON.stringify(body)]);
  }
  const bareServer = fork(require.resolve('./bareReadServer'), [], { execArgv: ['--title=bench-bare-read', '-r', 'ts-node/register/transpile-only'], stdio: 'inherit' });
  try {
    const port = await ask<{ port: number }>(bareServer, { connectionString: databaseUrl(sys), table: BARE_TABLE } satisfies BareReadRequest);
    const bare = await load({ baseUrl: `http://127.0.0.1:${port.port}`, key: null, paths: ids.map((id) => `/rows/${id}`), seconds, concurrency },
      () => pidCpuMs(bareServer.pid!));
    // The API shares this process with the (idle) worker and watcher: their CPU is counted against it.
    const api = await load({ baseUrl: sys.baseUrl, key: merchant.key, paths: ids.map((id) => `/checkout-sessions/${id}`), seconds, concurrency },
      () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; });
    const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;
    return { seconds, concurrency, sessions: ids.length, ...api, bare,
      ratioToBare: ratio(api.requestsPerSec, bare.requestsPerSec), cpuRatioToBare: ratio(bare.serverCpuMsPerRequest, api.serverCpuMsPerRequest) };
  } finally {
    bareServer.kill();
  }
}

/** One load run from its own process (getLoad.ts); `serverCpuMs` reads the serving process's CPU time so far. */
export async function load(request: GetLoadRequest, serverCpuMs: () => number): Promise<LoadFigures> {
  const child = fork(require.resolve('./getLoad'), [], { execArgv: ['--title=bench-get-load', '-r', 'ts-node/register/transpile-only'], stdio: 'inherit' });
  await new Promise((resolve) => child.once('spawn', resolve));
  const cpu0 = serverCpuMs();
  const reply = await ask<GetLoadReply>(child, request);
  const cpu = serverCpuMs() - cpu0;
  return { requests: reply.requests, errors: reply.errors, requestsPerSec: rate(reply.requests, reply.wallMs), latency: reply.latency,
    serverCpuMsPerRequest: Math.round((cpu / Math.max(1, reply.requests)) * 1000) / 1000 };
}

/** CPU time (user + system, ms) of another process so far, from /proc. */
function pidCpuMs(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10; // USER_HZ is 100 on Linux
}

/** Sends `message` to a forked child and waits for its first reply. */
function ask<T>(child: ChildProcess, message: unknown): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    child.once('message', (m) => resolve(m as T));
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${child.spawnfile} child exited with ${code}`)));
    child.send(message as object);
  });
}
