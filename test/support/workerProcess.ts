import { spawnTs, stopChild, type Child } from '../../chaos/processes';
import { ADMIN_KEY, type TestSystem } from './testSystem';

/**
 * A worker (`src/main.ts worker`) in its own process, polling a test system's task queue against the
 * run's PostgreSQL and Temporal with the same data folder (so it derives the same keys): a test can
 * SIGKILL it mid-activity and start another, as a crashed deployment's supervisor would.
 */
export interface WorkerProcess {
  child: Child;
  /** SIGKILL: no shutdown hook runs; whatever activity it was in is cut off. */
  kill(): Promise<void>;
  /** SIGTERM and wait (the end of a test). */
  stop(): Promise<void>;
}

/** Starts a worker process for `sys` (which runs without its own worker) with `env` on top of the system's settings. */
export function startWorkerProcess(sys: TestSystem, env: Record<string, string>): WorkerProcess {
  const child = spawnTs('src/main.ts', ['worker'], {
    ...process.env,
    DATABASE_URL: process.env.CHECKOUT_TEST_DATABASE_URL,
    TEMPORAL_ADDRESS: process.env.CHECKOUT_TEST_TEMPORAL_ADDRESS,
    TEMPORAL_TASK_QUEUE: sys.taskQueue,
    DATA_DIR: sys.config.dataDir,
    PUBLIC_URL: sys.config.publicUrl,
    ADMIN_API_KEY: ADMIN_KEY,
    WORKFLOW_BUNDLE_PATH: process.env.CHECKOUT_TEST_BUNDLE,
    WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
    ...env,
  });
  return {
    child,
    kill: async () => { await stopChild(child, 'SIGKILL'); },
    stop: async () => { await stopChild(child, 'SIGTERM', 20_000); },
  };
}
