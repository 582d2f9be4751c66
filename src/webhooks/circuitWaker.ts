/**
 * Wakes parked deliveries (src/db/webhookCircuits.ts). Every `intervalMs`, for each endpoint with
 * parked deliveries:
 * - its circuit closed (a delivery got a 2xx), or the endpoint was deleted or disabled: signals its
 *   parked deliveries, earliest event first, at most `perSecond` a second over all endpoints, so a
 *   recovered endpoint's backlog flows at the queue's rate instead of all at once (a deleted one's ends);
 * - its circuit open, `open_until` passed and nobody holding the probe (its holder's workflow ended):
 *   hands the probe to the earliest parked delivery and wakes it, so an open circuit is always probed.
 * Either way a delivery that has no workflow yet starts only into a free slot of the endpoint's in-flight
 * window (src/db/webhookWindow.ts), taken in the same transaction under the endpoint's window lock.
 * A wake-up is a signal-with-start: a parked workflow is signalled, and a delivery the outbox relay
 * parked without starting it (its endpoint was failing already) is started now. Each wake-up deletes
 * its row in the transaction that signals it (rows locked `SKIP LOCKED`: several wakers take different
 * rows); a failed signal leaves the rows for the next pass, and a workflow that ran and closed is
 * simply dropped. A row is only deleted once its workflow exists, so no delivery is lost.
 */
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { Logger } from 'pino';
import type { Db } from '../db/knex';
import { endpointsWithParked, grantProbe, logDropped, pruneParked, type ParkedRow } from '../db/webhookCircuits';
import {
  claimSlots, dropSlots, lockEndpointWindows, markChecked, parkedInOrder, slotsToCheck, unpark, windowStates, WINDOW_FREED_CHANNEL,
} from '../db/webhookWindow';
import { sharedListener } from '../db/notifications';
import { DEFAULT_ENDPOINT_WINDOW, stillRunning } from './dispatch';
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
  /** Delivery workflows in flight per endpoint at most (WEBHOOK_ENDPOINT_WINDOW). */
  window?: number;
  /** How often a full window's slots are checked against Temporal (WEBHOOK_SLOT_CHECK_MS; default a minute). */
  slotCheckMs?: number;
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

/** How often, by default, a full window's slots are checked against Temporal (a slot whose workflow ended without releasing it). */
const DEFAULT_SLOT_CHECK_MS = 60_000;

/**
 * Drops the endpoint's slots whose workflows are no longer running (terminated by an operator, run by
 * code older than the window, or started again after a rollback), asking about each slot at most once
 * per `slotCheckMs` (a minute by default: each question is a describe call to Temporal).
 */
async function reclaimSlots(deps: CircuitWakerDeps, endpointId: string, now: number, window: number): Promise<number> {
  const rows = await slotsToCheck(deps.db, endpointId, now, deps.slotCheckMs ?? DEFAULT_SLOT_CHECK_MS, window);
  if (rows.length === 0) return 0;
  const ids = rows.map((r) => r.workflow_id);
  await markChecked(deps.db, ids, now);
  const ended: string[] = [];
  for (const id of ids) if (!(await stillRunning(deps.temporal, id))) ended.push(id);
  const n = await dropSlots(deps.db, endpointId, ended);
  if (n > 0) deps.log.warn({ endpointId, slots: n }, 'webhook deliveries ended without freeing their slot; freed now');
  return n;
}

/** One pass; returns how many deliveries it woke. `tokens`: wake-ups it may make (the rate limit). */
export async function wakeParked(deps: CircuitWakerDeps, now = Date.now(), tokens?: number): Promise<number> {
  const endpoints = await endpointsWithParked(deps.db);
  const window = deps.window ?? DEFAULT_ENDPOINT_WINDOW;
  let budget = Math.max(1, Math.floor(tokens ?? (deps.perSecond > 0 ? deps.perSecond : DEFAULT_PER_SECOND) * (deps.intervalMs ?? 1000) / 1000));
  let woken = 0;
  for (const e of endpoints) {
    if (budget <= 0) break;
    const closed = !e.live || e.failures === null || e.failures < WEBHOOK_CIRCUIT_THRESHOLD;
    const probeDue = !closed && (e.open_until === null || Number(e.open_until) <= now)
      && (e.probe_by === null || e.probe_until === null || Number(e.probe_until) <= now);
    if (!closed && !probeDue) continue;
    const n = await deps.db.transaction(async (tx) => {
      await lockEndpointWindows(tx, [e.endpoint_id]);
      const [state] = (await windowStates(tx, [e.endpoint_id])).values();
      let free = window - state.inFlight;
      // Earliest event first. A parked delivery whose workflow runs holds a slot already; one that has no
      // workflow yet needs a free slot (unless the endpoint is gone: its deliveries only end), and the
      // first that finds none stops the pass for this endpoint, so deliveries start in event order.
      const candidates = await parkedInOrder(tx, e.endpoint_id, closed ? budget : window + 1);
      const rows: typeof candidates = [];
      // Parked without a workflow until its window closed: started now it could only fail at once, so it
      // is dropped here and logged as such (logDropped) instead, taking no slot.
      const expired = candidates.filter((r) => !r.running && Number(r.parked_at) + WINDOW_MS <= now);
      let full = false;
      for (const r of candidates) {
        if (!closed && rows.length === 1) break;
        if (expired.includes(r)) continue;
        if (r.running || !e.live) { rows.push(r); continue; }
        // No later delivery without a workflow starts before this one; running ones are still woken.
        if (full || free <= 0) { full = true; continue; }
        free -= 1;
        rows.push(r);
      }
      if (expired.length > 0) {
        await unpark(tx, expired.map((r) => r.workflow_id));
        await logDropped(tx, expired, now);
      }
      if (rows.length === 0) return 0;
      if (!closed) await grantProbe(tx, e.endpoint_id, rows[0].workflow_id, now, deps.leaseMs);
      await claimSlots(tx, rows.filter((r) => !r.running && e.live).map((r) => ({ workflow_id: r.workflow_id, endpoint_id: r.endpoint_id, seq: r.seq, started: now })));
      await unpark(tx, rows.map((r) => r.workflow_id));
      const results = await Promise.all(rows.map((r) => wake(deps, r)));
      // A failed signal rolls the whole batch back: the next pass signals them again (a second signal is harmless).
      if (results.includes(false)) throw new Error('a parked delivery could not be woken');
      return rows.length;
    }).catch((err: unknown) => {
      deps.log.debug({ err, endpointId: e.endpoint_id }, 'webhook waker pass for an endpoint rolled back');
      return 0;
    });
    budget -= n;
    woken += n;
    if (n > 0) deps.log.debug({ endpointId: e.endpoint_id, woken: n, probe: !closed }, 'woke parked webhook deliveries');
    // Nothing could start for a live endpoint with deliveries waiting: its window may hold slots of ended workflows.
    if (n === 0 && e.live) await reclaimSlots(deps, e.endpoint_id, now, window).catch((err: unknown) => deps.log.warn({ err }, 'could not check webhook delivery slots'));
  }
  return woken;
}

/**
 * Runs the waker every `intervalMs` (default 1 s) beside the outbox relay, and at once when a delivery
 * frees its slot (NOTIFY, src/db/webhookWindow.ts), so a window's next delivery starts without waiting
 * for the poll. Wake-ups stay within `perSecond` (a token bucket). Returns a stop function.
 */
export function startCircuitWaker(deps: CircuitWakerDeps): () => Promise<void> {
  const intervalMs = deps.intervalMs ?? 1000;
  const perSecond = deps.perSecond > 0 ? deps.perSecond : DEFAULT_PER_SECOND;
  let tokens = perSecond * intervalMs / 1000;
  let refilled = Date.now();
  let running: Promise<unknown> = Promise.resolve();
  let busy = false;
  let again = false;
  let stopped = false;
  let lastPrune = 0;
  const step = (): void => {
    if (stopped) return;
    if (busy) { again = true; return; }
    busy = true;
    again = false;
    const now = Date.now();
    tokens = Math.min(perSecond, tokens + perSecond * (now - refilled) / 1000);
    refilled = now;
    running = (async () => {
      if (tokens >= 1) tokens -= await wakeParked({ ...deps, intervalMs }, now, tokens);
      // Rows of deliveries whose window closed while parked (their workflows ended without a wake-up),
      // each logged in the merchant's delivery log as dropped undelivered (pruneParked).
      if (Date.now() - lastPrune > 3_600_000) {
        lastPrune = Date.now();
        await pruneParked(deps.db, Date.now() - WINDOW_MS - 86_400_000);
      }
    })()
      .catch((err) => deps.log.warn({ err }, 'webhook circuit waker pass failed; the next one retries'))
      .finally(() => {
        busy = false;
        if (again) step();
      });
  };
  const timer = setInterval(step, intervalMs);
  timer.unref();
  const unlisten = sharedListener(deps.db, deps.log).subscribe(WINDOW_FREED_CHANNEL, { onNotify: step, onListening: step });
  return async () => {
    stopped = true;
    clearInterval(timer);
    await unlisten();
    await running;
  };
}
