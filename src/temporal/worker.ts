import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Logger } from 'pino';
import { createActivities, type ActivityDeps } from '../../activities';
import { WORKFLOW_INTERCEPTOR_MODULES, workerTracing, type Tracing } from '../telemetry/tracing';
import { temporalConnectionOptions, type TemporalSecurity } from './connectionOptions';

/** Worker tuning shared by `npm start`, the tests and the benchmark (one place to change it). */
export const WORKER_TUNING: Partial<WorkerOptions> = {
  maxConcurrentActivityTaskExecutions: 200,
  maxConcurrentWorkflowTaskExecutions: 100,
};

/** Creates the worker of the checkout task queue. */
export async function createWorker(opts: {
  address: string;
  namespace: string;
  taskQueue: string;
  deps: ActivityDeps;
  log: Logger;
  /** A prebuilt bundle (`npm run build`, or the tests' one per run); without it workflows/ is bundled at start. */
  workflowBundle?: { codePath: string; sourceMapPath?: string };
  security?: TemporalSecurity;
  /** Sticky cache size (WORKER_MAX_CACHED_WORKFLOWS): bounds memory, not how many sessions may be open. */
  maxCachedWorkflows: number;
  /** Spans of workflows and activities (null: tracing off, the workflows' spans are dropped). */
  tracing?: Tracing | null;
}): Promise<{ worker: Worker; connection: NativeConnection }> {
  const connection = await NativeConnection.connect({ address: opts.address, ...temporalConnectionOptions(opts.security) });
  const worker = await Worker.create({
    connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue,
    activities: createActivities(opts.deps),
    ...(opts.workflowBundle
      ? { workflowBundle: opts.workflowBundle }
      : { workflowsPath: require.resolve('../../workflows') }),
    ...mergeWorkflowModules(workerTracing(opts.tracing ?? null), !opts.workflowBundle),
    ...WORKER_TUNING,
    maxCachedWorkflows: opts.maxCachedWorkflows,
  });
  return { worker, connection };
}

/** A prebuilt bundle already holds the workflow interceptors; bundling at start adds them. */
function mergeWorkflowModules(options: ReturnType<typeof workerTracing>, bundling: boolean): Partial<WorkerOptions> {
  if (!bundling) return options;
  return { ...options, interceptors: { ...options.interceptors, workflowModules: WORKFLOW_INTERCEPTOR_MODULES } };
}
