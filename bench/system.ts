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
}

/**
 * Starts the whole project (API, worker, watcher) the way `npm start` does, on embedded PostgreSQL and
 * the embedded Temporal dev server in a temporary DATA_DIR with free ports, unless DATABASE_URL /
 * TEMPORAL_ADDRESS point at running ones.
 */
export async function startBenchSystem(logLevel: string): Promise<BenchSystem> {
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
  const system = await startSystem(config, createLogger(config.logLevel));
  const embedded = { postgres: !config.databaseUrl, temporal: !config.temporal.address };
  return {
    ...system,
    baseUrl: system.url!,
    adminKey,
    embedded,
    taskQueue,
    temporalAddress: config.temporal.address ?? `127.0.0.1:${config.temporal.port}`,
    stop: async () => {
      await system.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
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
