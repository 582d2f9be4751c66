import { createWebhookDispatcher } from '../webhooks/dispatch';
import type { ServiceContext } from './context';

/**
 * Hands committed link events (recorded by src/webhooks/linkEvents in the change's transaction) to the
 * webhook task queue at once. Only a head start: the outbox relay (src/webhooks/sweeper.ts) dispatches
 * every committed event, these too, and a pair is started once, whoever gets there first. A failure is
 * logged, not thrown: the change itself has happened and the merchant gets its answer.
 */
export async function dispatchLinkEvents(ctx: ServiceContext, eventIds: string[]): Promise<void> {
  const dispatch = createWebhookDispatcher({
    db: ctx.db, temporal: ctx.temporal, taskQueue: ctx.config.webhooks.taskQueue, timeoutMs: ctx.config.webhookTimeoutMs,
    log: ctx.log.child({ component: 'webhooks' }),
  });
  await dispatch(eventIds).catch((err) => ctx.log.warn({ err, eventIds }, 'link events recorded; webhook dispatch failed'));
}
