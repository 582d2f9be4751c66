import type { ServiceContext } from '../services/context';
import type { WatcherContext } from './ingest';

/** The watcher's view of the service context (what receipt ingestion and hand-off need). */
export function watcherContext(ctx: ServiceContext): WatcherContext {
  return {
    db: ctx.db,
    temporal: ctx.temporal,
    log: ctx.log.child({ component: 'watcher' }),
    taskQueue: ctx.config.temporal.taskQueue,
    monitoringMs: ctx.config.monitoringHours * 3_600_000,
    historyLimit: ctx.config.workflowHistoryLimit,
    retryBaseMs: ctx.config.workflowRetryBaseMs,
    idleMs: ctx.config.workflowIdleMs,
  };
}
