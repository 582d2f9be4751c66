import { createWebhookDispatcher } from '../webhooks/dispatch';
import type { ServiceContext } from './context';

/**
 * Hands committed link events (recorded by src/webhooks/linkEvents in the change's transaction) to the
 * webhook dispatcher, as activities do for session events. A failure is logged, not thrown: the link
 * change itself has happened and the merchant gets its answer; the worker's dispatch sweeper hands the
 * events on shortly after (they stay marked undispatched).
 */
export async function dispatchLinkEvents(ctx: ServiceContext, eventIds: string[]): Promise<void> {
  const dispatch = createWebhookDispatcher({
    db: ctx.db, temporal: ctx.temporal, taskQueue: ctx.config.temporal.taskQueue, timeoutMs: ctx.config.webhookTimeoutMs,
    log: ctx.log.child({ component: 'webhooks' }),
  });
  await dispatch(eventIds).catch((err) => ctx.log.warn({ err, eventIds }, 'link events recorded; webhook dispatch failed'));
}
