import { Context } from '@temporalio/activity';
import type { Logger } from 'pino';

/** The pino-style calls activities make: fields first, then the message. */
export interface ActivityLogger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

/**
 * The logger of the running activity: `Context.current().log`, whose lines carry the workflow ID, run
 * ID, activity type and attempt (the SDK adds them; src/telemetry/sdkLogger.ts forwards them to pino).
 * Called outside an activity (a service or test calling the function directly) it is `fallback`, the
 * process's pino logger with the same fields passed. Call it per log line, never once at construction:
 * the context belongs to one execution.
 */
export function activityLog(fallback: Logger): ActivityLogger {
  const context = currentContext();
  if (!context) return fallback;
  const sdk = context.log;
  return {
    info: (fields, message) => sdk.info(message, fields),
    warn: (fields, message) => sdk.warn(message, fields),
    error: (fields, message) => sdk.error(message, fields),
  };
}

function currentContext(): Context | undefined {
  try {
    return Context.current();
  } catch {
    return undefined; // not inside an activity
  }
}
