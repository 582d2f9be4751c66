import { Runtime, type RuntimeOptions } from '@temporalio/worker';
import type { Logger } from 'pino';

/**
 * Process-level safety nets for `src/main.ts`: an unhandled rejection is logged instead of crashing
 * the process (a background loop's bad day must not take the API down with it), and Temporal's
 * runtime leaves SIGINT/SIGTERM to our own shutdown, which drains the API before the worker stops.
 */
export function installProcessGuards(log: Logger, runtime: Omit<RuntimeOptions, 'shutdownSignals'> = {}): void {
  process.on('unhandledRejection', (reason) => {
    log.error({ err: reason }, 'unhandled promise rejection (process kept running)');
  });
  // Without this the SDK's own handler shuts a worker down on SIGTERM while in-flight API requests
  // still wait for it, and a signal that arrives while the worker is being created is swallowed.
  Runtime.install({ ...runtime, shutdownSignals: [] });
}
