import type { Connection } from '@temporalio/client';
import type { Db } from '../db/knex';

/** What `/health` reports: each dependency `ok` or `down` (unreachable or slower than the deadline). */
export interface HealthReport {
  ok: boolean;
  postgres: 'ok' | 'down';
  temporal: 'ok' | 'down';
}

/** Deadline of each health probe: a load balancer's check must answer well inside its own timeout. */
export const HEALTH_TIMEOUT_MS = 3_000;

/**
 * Probes PostgreSQL (`select 1`) and Temporal (`GetSystemInfo`) in parallel, each bounded by `timeoutMs`,
 * so `/health` answers within that time whatever is down.
 */
export function healthProbe(db: Db, connection: Pick<Connection, 'withDeadline' | 'workflowService'>, timeoutMs = HEALTH_TIMEOUT_MS): () => Promise<HealthReport> {
  return async () => {
    const [postgres, temporal] = await Promise.all([
      within(timeoutMs, () => db.raw('select 1')),
      within(timeoutMs, () => connection.withDeadline(Date.now() + timeoutMs, () => connection.workflowService.getSystemInfo({}))),
    ]);
    return { ok: postgres && temporal, postgres: postgres ? 'ok' : 'down', temporal: temporal ? 'ok' : 'down' };
  };
}

/** Whether `probe` succeeds within `ms` (a timer, because a knex acquire can wait longer). */
async function within(ms: number, probe: () => PromiseLike<unknown>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => { timer = setTimeout(() => resolve(false), ms); });
  try {
    return await Promise.race([Promise.resolve(probe()).then(() => true, () => false), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
