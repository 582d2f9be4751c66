/**
 * Wakes parked deliveries (src/db/webhookCircuits.ts). Every `intervalMs`, for each endpoint with
 * parked deliveries:
 * - its circuit closed (a delivery got a 2xx), or the endpoint was deleted or disabled: signals its
 *   parked deliveries, earliest event first, at most `perSecond` a second over all endpoints, so a
 *   recovered endpoint's backlog flows at the queue's rate instead of all at once (a deleted one's ends);
 * - its circuit open, `open_until` passed and nobody holding the probe (its holder's workflow ended):
 *   hands the probe to the earliest parked delivery and wakes it, so an open circuit is always probed.
 * A wake-up is a signal-with-start: a parked workflow is signalled, and a delivery the outbox relay
 * parked without starting it (its endpoint was failing already) is started now. Each wake-up deletes
 * its row in the transaction that signals it (rows locked `SKIP LOCKED`: several wakers take different
 * rows); a failed signal leaves the rows for the next pass, and a workflow that ran and closed is
 * simply dropped. A row is only deleted once its workflow exists, so no delivery is lost.
 */
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { Logger } from 'pino';
import type { Db } from '../db/knex';
import { endpointsWithParked, grantProbe, pruneParked, takeParked, type ParkedRow } from '../db/webhookCircuits';
import { WEBHOOK_CIRCUIT_THRESHOLD, WEBHOOK_DELIVERY_WORKFLOW_TYPE, WEBHOOK_WAKE_SIGNAL, type WebhookDeliveryInput } from './deliveryTypes';
import { msToNumber } from '@temporalio/common/lib/time';
import { WEBHOOK_DELIVERY_WINDOW } from './retrySchedule';

export interface CircuitWakerDeps {
  db: Db;
  temporal: Client;
  /** The webhook task queue, where a parked delivery that has no workflow yet is started. */
  taskQueue: string;
  /** Per-attempt timeout of the deliveries it starts (WEBHOOK_TIMEOUT_MS). */
  timeoutMs: number;
  log: Logger;
  /** Wake-ups per second over all endpoints (WEBHOOK_MAX_DELIVERIES_PER_SECOND; 0 = the default 50). */
  perSecond: number;
  /** The probe lease given to a woken prober (the attempt budget). */
  leaseMs: number;
  intervalMs?: number;
}

const DEFAULT_PER_SECOND = 50;
const WINDOW_MS = msToNumber(WEBHOOK_DELIVERY_WINDOW);

/**
 * Wakes one parked delivery: signals its workflow, or starts it with the signal if the relay parked it
 * before it had one (its window still ends 5 days after it was parked). False if that failed; a
 * workflow that ran already and closed (delivered, skipped, window closed) counts as woken.
 */
async function wake(deps: CircuitWakerDeps, row: ParkedRow): Promise<boolean> {
  const input: WebhookDeliveryInput = {
    eventId: row.event_id, endpointId: row.endpoint_id, manual: false, timeoutMs: deps.timeoutMs, notAfter: Number(row.parked_at) + WINDOW_MS,
  };
  try {
    await deps.temporal.workflow.signalWithStart(WEBHOOK_DELIVERY_WORKFLOW_TYPE, {
      workflowId: row.workflow_id, taskQueue: deps.taskQueue, args: [input], signal: WEBHOOK_WAKE_SIGNAL, signalArgs: [],
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      staticSummary: `Webhook ${row.event_id} → ${row.endpoint_id}`,
    });
    return true;
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return true;
    deps.log.warn({ err, workflowId: row.workflow_id }, 'could not wake a parked webhook delivery; the next pass retries');
    return false;
  }
}

/** One pass; returns how many deliveries it woke. */
export async function wakeParked(deps: CircuitWakerDeps, now = Date.now()): Promise<number> {
  const endpoints = await endpointsWithParked(deps.db);
  let budget = Math.max(1, Math.round((deps.perSecond > 0 ? deps.perSecond : DEFAULT_PER_SECOND) * (deps.intervalMs ?? 1000) / 1000));
  let woken = 0;
  for (const e of endpoints) {
    if (budget <= 0) break;
    const closed = !e.live || e.failures === null || e.failures < WEBHOOK_CIRCUIT_THRESHOLD;
    const probeDue = !closed && (e.open_until === null || Number(e.open_until) <= now)
      && (e.probe_by === null || e.probe_until === null || Number(e.probe_until) <= now);
    if (!closed && !probeDue) continue;
    const n = await deps.db.transaction(async (tx) => {
      const rows = await takeParked(tx, e.endpoint_id, closed ? budget : 1);
      if (!closed && rows.length > 0) await grantProbe(tx, e.endpoint_id, rows[0].workflow_id, now, deps.leaseMs);
      const results = await Promise.all(rows.map((r) => wake(deps, r)));
      // A failed signal rolls the whole batch back: the next pass signals them again (a second signal is harmless).
      if (results.includes(false)) throw new Error('a parked delivery could not be woken');
      return rows.length;
    }).catch(() => 0);
    budget -= n;
    woken += n;
    if (n > 0) deps.log.debug({ endpointId: e.endpoint_id, woken: n, probe: !closed }, 'woke parked webhook deliveries');
  }
  return woken;
}

/** Runs the waker every `intervalMs` (default 1 s) beside the outbox relay; returns a stop function. */
export function startCircuitWaker(deps: CircuitWakerDeps): () => Promise<void> {
  const intervalMs = deps.intervalMs ?? 1000;
  let running: Promise<unknown> = Promise.resolve();
  let busy = false;
  let stopped = false;
  let lastPrune = 0;
  const step = (): void => {
    if (stopped || busy) return;
    busy = true;
    running = (async () => {
      await wakeParked({ ...deps, intervalMs });
      // Rows of deliveries whose window closed while parked (their workflows ended without a wake-up),
      // each logged in the merchant's delivery log as dropped undelivered (pruneParked).
      if (Date.now() - lastPrune > 3_600_000) {
        lastPrune = Date.now();
        await pruneParked(deps.db, Date.now() - WINDOW_MS - 86_400_000);
      }
    })()
      .catch((err) => deps.log.warn({ err }, 'webhook circuit waker pass failed; the next one retries'))
      .finally(() => { busy = false; });
  };
  const timer = setInterval(step, intervalMs);
  timer.unref();
  return async () => {
    stopped = true;
    clearInterval(timer);
    await running;
  };
}
