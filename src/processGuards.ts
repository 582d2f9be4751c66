import { Runtime, type RuntimeOptions } from '@temporalio/worker';
import type { Logger } from 'pino';
import { sdkLogger } from './telemetry/sdkLogger';

/**
 * Process-level safety nets for `src/main.ts`: an unhandled rejection is logged instead of crashing
 * the process (a background loop's bad day must not take the API down with it), and Temporal's
 * runtime leaves SIGINT/SIGTERM to our own shutdown, which drains the API before the worker stops.
 * The runtime also gets the process's logger, so the SDK's lines are pino JSON like ours.
 */
export function installProcessGuards(log: Logger, runtime: Omit<RuntimeOptions, 'shutdownSignals'> = {}): void {
  process.on('unhandledRejection', (reason) => {
    log.error({ err: reason }, 'unhandled promise rejection (process kept running)');
  });
  // Without this the SDK's own handler shuts a worker down on SIGTERM while in-flight API requests
  // still wait for it, and a signal that arrives while the worker is being created is swallowed.
  // The SDK's logs (workflow `log`, activity `Context.current().log`, the worker's own) go to pino too.
  Runtime.install({ logger: sdkLogger(log), ...runtime, shutdownSignals: [] });
}
