import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/config';
import { freePort } from '../src/infra/freePort';
import { createLogger } from '../src/logger';
import { startSystem, type SystemHandle } from '../src/system';
import { mustCall } from './http';

/** The system under test plus what the benchmark needs to drive it. */
export interface BenchSystem extends SystemHandle {
  baseUrl: string;
  adminKey: string;
  /** Which parts run embedded (started and thrown away by this run) rather than from DATABASE_URL / TEMPORAL_ADDRESS. */
  embedded: { postgres: boolean; temporal: boolean };
  /** The task queue of this run's checkout workflows (unique, so a shared server is not disturbed). */
  taskQueue: string;
  /** Where the Temporal server listens (the baseline's own worker connects there). */
  temporalAddress: string;
  /** The worker's own process (`npm run start:worker`) when the run keeps it out of this one, else null. */
  workerProcess: ChildProcess | null;
}

/**
 * Starts the whole project (API, worker, watcher) the way `npm start` does, on embedded PostgreSQL and
 * the embedded Temporal dev server in a temporary DATA_DIR with free ports, unless DATABASE_URL /
 * TEMPORAL_ADDRESS point at running ones.
 */
export async function startBenchSystem(logLevel: string, workerInOwnProcess = false): Promise<BenchSystem> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'checkout-bench-'));
  fs.chmodSync(dataDir, 0o755); // embedded PostgreSQL runs as its own user when we are root
  const adminKey = `bench_admin_${randomBytes(12).toString('hex')}`;
  const taskQueue = `bench-${randomBytes(4).toString('hex')}`;
  const config = loadConfig({
    ...process.env,
    PORT: '0',
    DATA_DIR: dataDir,
    TEMPORAL_PORT: String(await freePort()),
    TEMPORAL_UI_PORT: String(await freePort()),
    TEMPORAL_TASK_QUEUE: taskQueue,
    ADMIN_API_KEY: adminKey,
    LOG_LEVEL: logLevel,
  });
  const system = await startSystem(config, createLogger(config.logLevel), workerInOwnProcess ? { parts: ['api', 'watcher'] } : {});
  const embedded = { postgres: !config.databaseUrl, temporal: !config.temporal.address };
  const temporalAddress = config.temporal.address ?? `127.0.0.1:${config.temporal.port}`;
  let workerProcess: ChildProcess | null = null;
  if (workerInOwnProcess) {
    try {
      workerProcess = await startWorkerProcess({ ...process.env, DATABASE_URL: databaseUrl(system), TEMPORAL_ADDRESS: temporalAddress, DATA_DIR: dataDir,
        TEMPORAL_TASK_QUEUE: taskQueue, LOG_LEVEL: logLevel, ADMIN_API_KEY: adminKey });
    } catch (err) {
      await system.stop();
      throw err;
    }
  }
  return {
    ...system,
    workerProcess,
    baseUrl: system.url!,
    adminKey,
    embedded,
    taskQueue,
    temporalAddress,
    stop: async () => {
      if (workerProcess) await stopProcess(workerProcess);
      await system.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The system's database as a URL (knex keeps the password non-enumerable in its parsed settings). */
export function databaseUrl(system: SystemHandle): string {
  const { host, port, user, password, database } = (system.db.client as { connectionSettings: Record<string, string | number | undefined> }).connectionSettings;
  const enc = (v: string | number | undefined) => encodeURIComponent(String(v ?? ''));
  return `postgres://${enc(user)}:${enc(password)}@${enc(host)}:${enc(port ?? 5432)}/${enc(database)}`;
}

/** The worker process's name in /proc (15 characters at most), so its CPU and memory are reported under it. */
export const WORKER_PROCESS_TITLE = 'checkout-worker';

/** Starts `src/main.ts worker` (what `npm run start:worker` runs) and resolves once it polls (its start banner). */
function startWorkerProcess(env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  const child = spawn(process.execPath, [`--title=${WORKER_PROCESS_TITLE}`, '-r', 'ts-node/register/transpile-only', path.join(__dirname, '..', 'src', 'main.ts'), 'worker'],
    { env, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('Checkout is running')) resolve(child);
    });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the worker process exited with ${code}: ${out.slice(-2000)}`)));
  });
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/** A merchant account created through the admin API. */
export interface Merchant {
  id: string;
  key: string;
}

/** Creates a merchant account via `POST /accounts` with the run's admin key. */
export async function createMerchant(sys: BenchSystem, name: string): Promise<Merchant> {
  const body = await mustCall<{ id: string; secret_key: string }>(sys.baseUrl, sys.adminKey, 'POST', '/accounts', { name });
  return { id: body.id, key: body.secret_key };
}

/** Lets `source`'s sessions send transfers to each destination (transfer consent, docs/transfers.md). */
export async function connectDestinations(sys: BenchSystem, source: Merchant, destinations: Merchant[]): Promise<void> {
  for (const d of destinations) {
    await mustCall(sys.baseUrl, sys.adminKey, 'POST', `/accounts/${source.id}/transfer-destinations`, { destination_account: d.id });
  }
}

/**
 * On a shared Temporal server, terminates the run's still-open workflows (the open-sessions phase
 * leaves thousands waiting on year-long timers) with one batch operation on its task queue.
 */
export async function terminateLeftovers(sys: BenchSystem): Promise<void> {
  if (sys.embedded.temporal) return;
  await sys.temporal.workflowService.startBatchOperation({
    namespace: sys.config.temporal.namespace,
    jobId: `${sys.taskQueue}-cleanup`,
    reason: 'checkout benchmark finished',
    visibilityQuery: `TaskQueue = '${sys.taskQueue}' AND ExecutionStatus = 'Running'`,
    terminationOperation: {},
  });
}
