/**
 * Per-endpoint backoff state (migration 160, docs/webhooks.md "A failing endpoint"). A circuit row exists
 * while an endpoint has failed since its last success; it is open from `threshold` consecutive failures
 * (a `Retry-After` counts as the threshold at once). While open, one delivery at a time holds the probe
 * and attempts, not before `open_until`; the others park (`webhook_parked_deliveries`) until a success
 * deletes the row and the waker (src/webhooks/circuitWaker.ts) signals them in event order.
 */
import { newId } from '../domain/ids';
import { columnsOf } from './columns';
import type { Db, DbOrTx } from './knex';
import { incrementCounter } from './metricCounters';
import { T } from './tables';

/** A webhook_endpoint_circuits row. */
export interface EndpointCircuitRow {
  endpoint_id: string;
  failures: number;
  open_until: string | null;
  probe_by: string | null;
  probe_until: string | null;
  updated: string;
}

export const CIRCUIT_COLUMNS = columnsOf<EndpointCircuitRow>()(['endpoint_id', 'failures', 'open_until', 'probe_by', 'probe_until', 'updated']);

/** What an attempt may do: send (the circuit is closed, or it holds the probe) or park. */
export type Admission = { admitted: true; probe: boolean } | { admitted: false; openUntil: number | null };

// The probe holder's next attempt is admitted this early: Temporal's retry timer and this process's
// clock are not the same clock, and a probe that parked itself would leave nobody probing.
const CLOCK_SLACK_MS = 1_000;

export async function findCircuit(db: DbOrTx, endpointId: string): Promise<EndpointCircuitRow | undefined> {
  return db(T.webhookCircuits).select(CIRCUIT_COLUMNS).where({ endpoint_id: endpointId }).first();
}

/**
 * Decides whether the delivery `workflowId` may send to its endpoint now. Closed: yes. Open: only if the
 * probe is free (or its own, or its holder's lease ran out) and `open_until` has passed; it then holds
 * the probe for `leaseMs`.
 */
export async function admitAttempt(db: DbOrTx, endpointId: string, workflowId: string, threshold: number, now: number, leaseMs: number): Promise<Admission> {
  const circuit = await findCircuit(db, endpointId);
  if (!circuit || circuit.failures < threshold) return { admitted: true, probe: false };
  const claimed = await db(T.webhookCircuits)
    .where({ endpoint_id: endpointId })
    .andWhere('failures', '>=', threshold)
    .andWhere((w) => {
      w.where({ probe_by: workflowId }).andWhere((o) => { o.whereNull('open_until').orWhere('open_until', '<=', now + CLOCK_SLACK_MS); })
        .orWhere((free) => {
          free.andWhere((o) => { o.whereNull('open_until').orWhere('open_until', '<=', now); })
            .andWhere((p) => { p.whereNull('probe_by').orWhereNull('probe_until').orWhere('probe_until', '<=', now); });
        });
    })
    .update({ probe_by: workflowId, probe_until: now + leaseMs, updated: now }, ['endpoint_id']);
  if (claimed.length > 0) return { admitted: true, probe: true };
  const again = await findCircuit(db, endpointId);
  if (!again || again.failures < threshold) return { admitted: true, probe: false };
  return { admitted: false, openUntil: again.open_until === null ? null : Number(again.open_until) };
}

/** A 2xx from the endpoint: its circuit closes (the row goes). Returns whether it had been open. */
export async function recordEndpointSuccess(db: DbOrTx, endpointId: string, threshold: number): Promise<boolean> {
  const gone = await db(T.webhookCircuits).where({ endpoint_id: endpointId }).delete(['failures']);
  return gone.some((r: { failures: number }) => r.failures >= threshold);
}

/**
 * A failed attempt by `workflowId`: one more consecutive failure (a `Retry-After` opens the circuit at
 * once and keeps every delivery off the endpoint until it has passed). The attempt keeps or takes the
 * probe (unless another delivery holds it) until its own next retry, `nextAttemptMs` from now, plus
 * `leaseMs`. Returns the failures counted so far.
 */
export async function recordEndpointFailure(db: DbOrTx, opts: {
  endpointId: string; workflowId: string; threshold: number; now: number; retryAfterMs: number | null; nextAttemptMs: number; leaseMs: number;
}): Promise<number> {
  const { endpointId, workflowId, threshold, now, retryAfterMs } = opts;
  const openUntil = retryAfterMs === null ? null : now + retryAfterMs;
  const probeUntil = now + opts.nextAttemptMs + opts.leaseMs;
  const { rows } = await db.raw(`
    insert into webhook_endpoint_circuits as c (endpoint_id, failures, open_until, probe_by, probe_until, updated)
    values (?, ?, ?, ?, ?, ?)
    on conflict (endpoint_id) do update set
      failures = greatest(c.failures + 1, excluded.failures),
      open_until = greatest(c.open_until, excluded.open_until),
      probe_by = case when c.probe_by is null or c.probe_by = excluded.probe_by or c.probe_until is null or c.probe_until <= ?
        then excluded.probe_by else c.probe_by end,
      probe_until = case when c.probe_by is null or c.probe_by = excluded.probe_by or c.probe_until is null or c.probe_until <= ?
        then excluded.probe_until else c.probe_until end,
      updated = excluded.updated
    returning failures`,
  [endpointId, retryAfterMs === null ? 1 : threshold, openUntil, workflowId, probeUntil, now, now, now]);
  return Number(rows[0].failures);
}

/** A parked delivery: its workflow (running, or not yet started when the relay parked it), event and order. */
export interface ParkedRow { workflow_id: string; endpoint_id: string; event_id: string; seq: string | number; parked_at: number | string }

/**
 * Deliveries waiting for their endpoint's circuit to close (kept once: a re-park keeps its first time).
 * The outbox relay parks the deliveries of an open circuit's endpoint here without starting their
 * workflows, in its claiming transaction: then the row is the delivery until the waker starts it.
 */
export async function parkDeliveries(db: DbOrTx, rows: ParkedRow[]): Promise<void> {
  if (rows.length > 0) await db(T.webhookParked).insert(rows).onConflict('workflow_id').ignore();
}

/** Whether the endpoint's circuit is open (it failed `threshold` times in a row or asked to wait). */
export async function circuitOpen(db: DbOrTx, endpointId: string, threshold: number): Promise<boolean> {
  const c = await findCircuit(db, endpointId);
  return c !== undefined && c.failures >= threshold;
}

/** Endpoints with parked deliveries, with their circuit and whether the endpoint still takes deliveries. */
export async function endpointsWithParked(db: DbOrTx): Promise<Array<{
  endpoint_id: string; failures: number | null; open_until: string | null; probe_by: string | null; probe_until: string | null; live: boolean;
}>> {
  const { rows } = await db.raw(`
    select p.endpoint_id, c.failures, c.open_until, c.probe_by, c.probe_until,
      coalesce(e.status = 'enabled' and not e.deleted, false) as live
    from (select distinct endpoint_id from webhook_parked_deliveries) p
    left join webhook_endpoint_circuits c on c.endpoint_id = p.endpoint_id
    left join webhook_endpoints e on e.id = p.endpoint_id`);
  return rows;
}

/** Hands the probe of an open circuit to `workflowId` (a parked delivery about to be woken to probe). */
export async function grantProbe(db: DbOrTx, endpointId: string, workflowId: string, now: number, leaseMs: number): Promise<void> {
  await db(T.webhookCircuits).where({ endpoint_id: endpointId }).update({ probe_by: workflowId, probe_until: now + leaseMs, updated: now });
}

/** The delivery log's `error_kind` of a parked delivery dropped at the end of its window (`logDropped`). */
export const DROPPED_ERROR_KIND = 'dropped';
/** The delivery log's `error` of such a delivery: what happened and why. */
export const DROPPED_ERROR = 'dropped undelivered: the delivery window closed while it waited for the endpoint, which kept failing';

const PRUNE_BATCH = 1_000;

/**
 * Logs parked deliveries whose window closed (their rows just deleted by the caller, in `tx`) in the
 * delivery log the merchant sees (`GET /webhooks/{id}/deliveries`, the dashboard) as ended undelivered:
 * attempt 0, `error_kind` `dropped`, the reason in `error`. In the transaction that deletes the rows, so
 * each is logged exactly once however many wakers run. A pair with a successful delivery logged (a
 * parked workflow that woke by its own timer and delivered) is not logged again; an event already past
 * its retention has nothing left to show. Returns how many it logged.
 */
export async function logDropped(tx: DbOrTx, gone: ParkedRow[], now: number): Promise<number> {
  if (gone.length === 0) return 0;
  const pairs = gone.map((r) => [r.endpoint_id, r.event_id]);
  const [events, delivered] = await Promise.all([
    tx(T.events).select('id', 'event_type').whereIn('id', [...new Set(gone.map((r) => r.event_id))]),
    tx(T.webhookDeliveries).select('endpoint_id', 'event_id').where({ ok: true }).whereIn(['endpoint_id', 'event_id'], pairs),
  ]);
  const typeOf = new Map<string, string>(events.map((e: { id: string; event_type: string }) => [e.id, e.event_type]));
  const done = new Set(delivered.map((d: { endpoint_id: string; event_id: string }) => `${d.endpoint_id} ${d.event_id}`));
  // Rows of webhook_deliveries (src/db/webhooks.ts, WebhookDeliveryRow).
  const logged: Array<Record<string, string | number | boolean | null>> = [];
  for (const r of gone) {
    const type = typeOf.get(r.event_id);
    if (type === undefined || done.has(`${r.endpoint_id} ${r.event_id}`)) continue;
    logged.push({
      id: newId('whd'), endpoint_id: r.endpoint_id, event_id: r.event_id, event_type: type, attempt: 0, manual: false, ok: false,
      http_status: null, error_kind: DROPPED_ERROR_KIND, error: DROPPED_ERROR, duration_ms: 0, response_snippet: '', created: String(now),
    });
  }
  if (logged.length > 0) {
    await tx(T.webhookDeliveries).insert(logged);
    await incrementCounter(tx, 'checkout_webhook_deliveries_total', { outcome: DROPPED_ERROR_KIND }, logged.length);
  }
  return logged.length;
}

/**
 * Deletes parked rows older than `before` (their deliveries' window has closed and nobody woke them)
 * and logs each as dropped (`logDropped`) in the same transaction. Batches of PRUNE_BATCH rows, locked
 * `SKIP LOCKED`.
 */
export async function pruneParked(db: Db, before: number, now = Date.now()): Promise<number> {
  let pruned = 0;
  for (;;) {
    const n = await db.transaction(async (tx) => {
      const ids = tx(T.webhookParked).select('workflow_id').where('parked_at', '<', before).limit(PRUNE_BATCH).forUpdate().skipLocked();
      const gone: ParkedRow[] = await tx(T.webhookParked).whereIn('workflow_id', ids).delete(['workflow_id', 'endpoint_id', 'event_id', 'seq', 'parked_at']);
      await logDropped(tx, gone, now);
      return gone.length;
    });
    pruned += n;
    if (n < PRUNE_BATCH) return pruned;
  }
}

/** What the dashboard shows of an endpoint's backoff: its circuit (if it failed since its last success) and how many deliveries wait. */
export async function endpointBackoff(db: DbOrTx, endpointId: string): Promise<{ circuit: EndpointCircuitRow | undefined; parked: number }> {
  const [circuit, [{ n }]] = await Promise.all([findCircuit(db, endpointId), db(T.webhookParked).where({ endpoint_id: endpointId }).count({ n: '*' })]);
  return { circuit, parked: Number(n) };
}
