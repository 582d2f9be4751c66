import { DefaultLogger, type LogEntry, type LogLevel } from '@temporalio/worker';
import type { Logger } from 'pino';

const TO_PINO: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error',
};
const FROM_PINO: Record<string, LogLevel> = {
  trace: 'TRACE', debug: 'DEBUG', info: 'INFO', warn: 'WARN', error: 'ERROR', fatal: 'ERROR', silent: 'ERROR',
};

/**
 * The Temporal SDK's logger (`Runtime.install({ logger })`) writing into the process's pino logger:
 * the workflow's `log.warn`, activities' `Context.current().log` and the worker's own messages become
 * JSON lines with the SDK's metadata (`workflowId`, `runId`, `workflowType`, `activityType`, `attempt`,
 * `taskQueue`, `sdkComponent`) as fields, under `component: "temporal"`.
 */
export function sdkLogger(log: Logger): DefaultLogger {
  const child = log.child({ component: 'temporal' });
  const level = log.level === 'silent' ? 'ERROR' : FROM_PINO[log.level] ?? 'INFO';
  return new DefaultLogger(level, (entry: LogEntry) => {
    if (log.level === 'silent') return;
    child[TO_PINO[entry.level]]({ ...entry.meta }, entry.message);
  });
}
