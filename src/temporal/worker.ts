import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Logger } from 'pino';
import { createActivities, type ActivityDeps } from '../../activities';
import { webhookActivities } from '../../activities/webhooks';
import type { AppConfig } from '../config';
import { workerTracing, workflowInterceptorModules, type Tracing } from '../telemetry/tracing';
import { temporalConnectionOptions, workerTransportOptions, type TemporalSecurity, type TemporalTransport } from './connectionOptions';

/**
 * The money worker's slots from configuration (docs/capacity.md). Remote and local activities each take
 * a pool connection, so together they must fit WORKER_DB_POOL_MAX: a burst then waits in the task queue
 * (schedule-to-start has no timeout: latency), never on the pool's acquire (a failure, retries, attention).
 */
export function workerTuning(worker: AppConfig['worker']): Partial<WorkerOptions> {
  return {
    maxConcurrentActivityTaskExecutions: worker.maxConcurrentActivities,
    maxConcurrentLocalActivityExecutions: worker.maxConcurrentLocalActivities,
    maxConcurrentWorkflowTaskExecutions: worker.maxConcurrentWorkflowTasks,
    maxCachedWorkflows: worker.maxCachedWorkflows,
    // In-flight activities may finish on shutdown (a deploy) before they are cancelled.
    shutdownGraceTime: worker.shutdownGraceMs,
  };
}

/** The slots of the webhook worker: its own, with a rate limit over the whole task queue. */
export function webhookWorkerTuning(webhooks: AppConfig['webhooks'], worker: AppConfig['worker']): Partial<WorkerOptions> {
  return {
    maxConcurrentActivityTaskExecutions: webhooks.maxConcurrentDeliveries,
    maxConcurrentWorkflowTaskExecutions: webhooks.maxConcurrentWorkflowTasks,
    // Delivery workflows are a few events long: a small cache is plenty.
    maxCachedWorkflows: Math.min(worker.maxCachedWorkflows, 100),
    ...(webhooks.maxDeliveriesPerSecond > 0 ? { maxTaskQueueActivitiesPerSecond: webhooks.maxDeliveriesPerSecond } : {}),
    shutdownGraceTime: worker.shutdownGraceMs,
  };
}

/** A prebuilt bundle: a file (`npm run build`, the tests' one per run) or code bundled once in this process. */
export type WorkflowBundleOption = { codePath: string; sourceMapPath?: string } | { code: string };

/** Which worker: the money path's (every workflow and activity but deliveries) or the webhooks'. */
export type WorkerKind = 'checkout' | 'webhooks';

/** Creates one worker on its own connection: `checkout` on the checkout task queue, `webhooks` on the webhook one. */
export async function createWorker(opts: {
  kind: WorkerKind;
  address: string;
  namespace: string;
  taskQueue: string;
  deps: ActivityDeps;
  log: Logger;
  /** A prebuilt bundle (`npm run build`, or the tests' one per run); without it workflows/ is bundled at start. */
  workflowBundle?: WorkflowBundleOption;
  security?: TemporalSecurity;
  transport?: TemporalTransport;
  tuning: Partial<WorkerOptions>;
  /** The worker deployment version it reports (versioning itself stays off: patches keep histories replaying). */
  deployment: { name: string; buildId: string };
  /** Spans of workflows and activities (null: tracing off, the workflows' spans are dropped). */
  tracing?: Tracing | null;
}): Promise<{ worker: Worker; connection: NativeConnection }> {
  const connection = await NativeConnection.connect({
    address: opts.address, ...temporalConnectionOptions(opts.security), ...workerTransportOptions(opts.transport),
  });
  // Deliveries never run on the money worker, and the webhook worker has nothing but deliveries.
  const { deliverWebhook: _deliveries, releaseWebhookSlot: _slots, ...money } = createActivities(opts.deps);
  const activities = opts.kind === 'webhooks' ? webhookActivities(opts.deps) : money;
  const worker = await Worker.create({
    connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue,
    activities,
    ...(opts.workflowBundle
      ? { workflowBundle: opts.workflowBundle }
      : { workflowsPath: require.resolve('../../workflows') }),
    // Both workers (money and webhooks) carry the tracing interceptors and the sink of the workflows' spans.
    ...mergeWorkflowModules(workerTracing(opts.tracing ?? null), !opts.workflowBundle, Boolean(opts.tracing)),
    workerDeploymentOptions: { version: { deploymentName: opts.deployment.name, buildId: opts.deployment.buildId }, useWorkerVersioning: false },
    ...opts.tuning,
  });
  return { worker, connection };
}

/** A given bundle (prebuilt, or the one system.ts bundles for both workers) holds its interceptors already; bundling at start adds the tracing ones when this process traces. */
function mergeWorkflowModules(options: ReturnType<typeof workerTracing>, bundling: boolean, traced: boolean): Partial<WorkerOptions> {
  if (!bundling || !traced) return options;
  return { ...options, interceptors: { ...options.interceptors, workflowModules: workflowInterceptorModules(true) } };
}
