import type { ActivityDeps } from './deps';
import { activityLog } from './log';

/**
 * The product sets no hook (src/system.ts): committed events reach webhooks through the outbox relay
 * alone, on the webhook worker, so a money activity never waits on a delivery's start. With a hook (a
 * test's), committed events are handed to it without making the money path depend on it: a
 * dispatch failure is logged and the outbox sweeper (src/webhooks/sweeper.ts) delivers the events
 * later, so a slow or failing dispatch never retries a credit, a transfer or a payment.
 */
export function dispatchBestEffort(deps: ActivityDeps): (eventIds: string[]) => Promise<void> {
  return async (eventIds) => {
    if (!deps.onEventsRecorded || eventIds.length === 0) return;
    try {
      await deps.onEventsRecorded(eventIds);
    } catch (err) {
      activityLog(deps.log).warn({ err, eventIds }, 'event dispatch failed; the outbox sweeper delivers these events');
    }
  };
}
