/**
 * Per-endpoint in-flight window (migration 166, docs/webhooks.md "In flight per endpoint"). A row of
 * `webhook_inflight_deliveries` is a delivery workflow started for an endpoint and not yet ended. The
 * outbox relay and the circuit waker start deliveries only while the endpoint has fewer rows than the
 * window, each in its transaction under the endpoint's advisory lock (so two of them never both take
 * the last slot), and park the others as `webhook_parked_deliveries` rows, started in event order as
 * earlier deliveries end. However many events wait for a dead endpoint, Temporal holds at most the
 * window's number of workflows for it.
 *
 * Invariant: a committed row's workflow was started (the row is inserted in the transaction that starts
 * it). A workflow that ends deletes its row under the same lock, so a release never runs before the row
 * it deletes is committed. A row whose workflow ended without deleting it (terminated by an operator,
 * or run by code older than the window) is found by the waker, which asks Temporal, and dropped.
 */
import type { DbOrTx } from './knex';
import { T } from './tables';

/** NOTIFY channel of a freed slot: the waker starts the endpoint's next parked delivery at once. */
export const WINDOW_FREED_CHANNEL = 'webhook_window_freed';

/** A webhook_inflight_deliveries row. */
export interface InflightRow { workflow_id: string; endpoint_id: string; seq: string | number; started: string | number; checked?: string | number | null }

/**
 * Takes the endpoints' window locks for the rest of the transaction, in one order (by ID) so that two
 * transactions locking several endpoints never deadlock. Outside a transaction it protects nothing.
 */
export async function lockEndpointWindows(db: DbOrTx, endpointIds: Iterable<string>): Promise<void> {
  for (const id of [...new Set(endpointIds)].sort()) {
    await db.raw("select pg_advisory_xact_lock(hashtextextended('webhook-window:' || ?, 0))", [id]);
  }
}

/** Per endpoint: deliveries in flight (rows) and whether any delivery is parked. */
export async function windowStates(db: DbOrTx, endpointIds: string[]): Promise<Map<string, { inFlight: number; parked: boolean }>> {
  const states = new Map<string, { inFlight: number; parked: boolean }>();
  if (endpointIds.length === 0) return states;
  const { rows } = await db.raw(`
    select e.id as endpoint_id,
      (select count(*) from ${T.webhookInflight} i where i.endpoint_id = e.id) as in_flight,
      exists (select 1 from ${T.webhookParked} p where p.endpoint_id = e.id) as parked
    from unnest(?::text[]) as e(id)`, [endpointIds]);
  for (const r of rows as Array<{ endpoint_id: string; in_flight: string; parked: boolean }>) {
    states.set(r.endpoint_id, { inFlight: Number(r.in_flight), parked: r.parked });
  }
  return states;
}

/** Which of these delivery workflows hold a slot, and which are parked (a relay step repeated after a rollback meets its own rows). */
export async function knownDeliveries(db: DbOrTx, workflowIds: string[]): Promise<{ inFlight: Set<string>; parked: Set<string> }> {
  if (workflowIds.length === 0) return { inFlight: new Set(), parked: new Set() };
  const [inflight, parked] = await Promise.all([
    db(T.webhookInflight).whereIn('workflow_id', workflowIds).select('workflow_id'),
    db(T.webhookParked).whereIn('workflow_id', workflowIds).select('workflow_id'),
  ]);
  return { inFlight: new Set(inflight.map((r) => r.workflow_id as string)), parked: new Set(parked.map((r) => r.workflow_id as string)) };
}

/** Records deliveries about to be started as in flight (a row already there is kept). */
export async function claimSlots(db: DbOrTx, rows: InflightRow[]): Promise<void> {
  if (rows.length > 0) await db(T.webhookInflight).insert(rows).onConflict('workflow_id').ignore();
}

/**
 * A delivery workflow ended: its slot is freed, under the endpoint's lock (so a row still uncommitted
 * by the transaction that started the workflow is waited for, not missed), and the waker is told.
 * Returns whether it held a slot.
 */
export async function releaseSlot(db: DbOrTx, endpointId: string, workflowId: string): Promise<boolean> {
  return db.transaction(async (tx) => {
    await lockEndpointWindows(tx, [endpointId]);
    const gone = await tx(T.webhookInflight).where({ workflow_id: workflowId }).delete();
    if (gone > 0) await tx.raw('select pg_notify(?, ?)', [WINDOW_FREED_CHANNEL, endpointId]);
    return gone > 0;
  });
}

/**
 * Parked deliveries of an endpoint, earliest event first, locked for this transaction (`SKIP LOCKED`:
 * another waker takes other rows), each with whether its workflow already runs (holds a slot).
 */
export async function parkedInOrder(db: DbOrTx, endpointId: string, limit: number): Promise<Array<{
  workflow_id: string; endpoint_id: string; event_id: string; seq: string; parked_at: string; running: boolean;
}>> {
  const { rows } = await db.raw(`
    select p.workflow_id, p.endpoint_id, p.event_id, p.seq, p.parked_at,
      exists (select 1 from ${T.webhookInflight} i where i.workflow_id = p.workflow_id) as running
    from ${T.webhookParked} p
    where p.endpoint_id = ?
    order by p.seq
    limit ?
    for update of p skip locked`, [endpointId, limit]);
  return rows;
}

/** Deletes the given parked rows (their deliveries were woken). */
export async function unpark(db: DbOrTx, workflowIds: string[]): Promise<void> {
  if (workflowIds.length > 0) await db(T.webhookParked).whereIn('workflow_id', workflowIds).delete();
}

/** Slots of an endpoint not asked about for `everyMs` (and older than that), oldest first. */
export async function slotsToCheck(db: DbOrTx, endpointId: string, now: number, everyMs: number, limit: number): Promise<InflightRow[]> {
  return db(T.webhookInflight).select('workflow_id', 'endpoint_id', 'seq', 'started', 'checked')
    .where({ endpoint_id: endpointId }).andWhere('started', '<', now - everyMs)
    .andWhere((w) => { w.whereNull('checked').orWhere('checked', '<', now - everyMs); })
    .orderBy('started').limit(limit);
}

/** Marks slots as asked about at `now`. */
export async function markChecked(db: DbOrTx, workflowIds: string[], now: number): Promise<void> {
  if (workflowIds.length > 0) await db(T.webhookInflight).whereIn('workflow_id', workflowIds).update({ checked: now });
}

/** Drops slots whose workflows ended without releasing them; tells the waker. */
export async function dropSlots(db: DbOrTx, endpointId: string, workflowIds: string[]): Promise<number> {
  if (workflowIds.length === 0) return 0;
  const gone = await db(T.webhookInflight).whereIn('workflow_id', workflowIds).delete();
  if (gone > 0) await db.raw('select pg_notify(?, ?)', [WINDOW_FREED_CHANNEL, endpointId]);
  return gone;
}
