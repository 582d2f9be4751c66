import { watchConditions, type PhaseConditions } from './conditions';
import { DeadEndpoint } from './deadEndpoint';
import type { DeadMode } from './deadEndpointProcess';
import { mustCall } from './http';
import { runReceipts, type ReceiptLoad, type ReceiptResult } from './receipts';
import { runCreation } from './sessions';
import type { BenchSystem, Merchant } from './system';

/** Receipt → paid with no webhooks, then with `pending` deliveries retrying against a dead endpoint. */
export interface WebhookLoadResult {
  mode: DeadMode;
  pending: number;
  quiet: ReceiptResult & { conditions: PhaseConditions };
  loaded: ReceiptResult & { conditions: PhaseConditions; attemptsPerSec: number };
  /** Seconds the outbox relay took to start the `pending` deliveries. */
  dispatchSec: number;
  /** p50 receipt → paid with the deliveries pending over the same without (the goal: ≤ 1.2). */
  ratio: number;
}

const PREFIX = 'evt_benchhook';

/**
 * In one run, on one merchant: pays `receipts` sessions with no webhook endpoint, then registers an
 * endpoint that is down (`mode`), records `pending` events for it by SQL (copies of one of its real
 * events, undispatched, as the money activities leave them), waits until the outbox relay has started
 * a delivery for each, and pays `receipts` more sessions while those deliveries retry (their own
 * events go to the dead endpoint too). The money path should not notice: deliveries run on their own
 * task queue, worker slots, rate limit and pool.
 */
export async function runWebhookLoad(sys: BenchSystem, merchant: Merchant, destinations: Merchant[], opts: {
  pending: number; receipts: number; mode: DeadMode; concurrency: number; receiptLoad: ReceiptLoad;
}): Promise<WebhookLoadResult> {
  const { sessions } = await runCreation(sys, merchant, destinations, opts.receipts * 2, opts.concurrency, true, null);
  const measured = async <T>(fn: () => Promise<T>) => { const stop = watchConditions(sys.db); const value = await fn(); return { ...value, conditions: stop() }; };
  const quiet = await measured(() => runReceipts(sys, merchant, sessions.slice(0, opts.receipts), opts.receiptLoad));

  const dead = await DeadEndpoint.start(opts.mode);
  const endpoint = await mustCall<{ id: string }>(sys.baseUrl, merchant.key, 'POST', '/webhooks', { url: dead.url, enabled_events: ['*'] });
  try {
    const t0 = performance.now();
    await sys.db.transaction(async (tx) => {
      await tx.raw('set local statement_timeout = 0');
      // Each copy is its own session's event (its own stream): copies of one stream would wait on each
      // other for ordering (src/webhooks/ordering.ts), which is not what 10,000 pending deliveries look like.
      await tx.raw(`insert into events (id, dedupe_key, account_id, livemode, event_type, object_id, data, created, dispatched_at)
        select ? || lpad(n::text, 7, '0'), 'benchhook:' || n, e.account_id, e.livemode, e.event_type, 'cs_benchhook' || n,
          jsonb_set(e.data::jsonb #- '{object,checkout_session}', '{object,id}', to_jsonb('cs_benchhook' || n)), ?, null
        from (select * from events where account_id = ? order by seq limit 1) e, generate_series(1, ?) n`,
      [PREFIX, Date.now(), merchant.id, opts.pending]);
    });
    for (let left = opts.pending; left > 0 && performance.now() - t0 < 600_000;) {
      await new Promise((r) => setTimeout(r, 1000));
      left = Number((await sys.db('events').count({ n: '*' }).where('id', 'like', `${PREFIX}%`).whereNull('dispatched_at'))[0].n);
    }
    const dispatchSec = Math.round((performance.now() - t0) / 100) / 10;
    await new Promise((r) => setTimeout(r, 10_000)); // the deliveries' retries reach their steady pace
    const before = await dead.requests();
    const tb = performance.now();
    const loaded = await measured(() => runReceipts(sys, merchant, sessions.slice(opts.receipts), opts.receiptLoad));
    const attemptsPerSec = Math.round(((await dead.requests()) - before) / ((performance.now() - tb) / 1000) * 10) / 10;
    return {
      mode: opts.mode, pending: opts.pending, quiet, loaded: { ...loaded, attemptsPerSec }, dispatchSec,
      ratio: Math.round((loaded.toPaid.p50 / quiet.toPaid.p50) * 100) / 100,
    };
  } finally {
    // Deliveries to a deleted endpoint end at their next attempt (matters on a shared Temporal server).
    await mustCall(sys.baseUrl, merchant.key, 'DELETE', `/webhooks/${endpoint.id}`).catch(() => undefined);
    await dead.stop();
  }
}
