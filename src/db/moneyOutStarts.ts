import type { DbOrTx } from './knex';
import { PAYOUT_COLUMNS, type PayoutRow } from './payouts';
import { REFUNDS, REFUND_COLUMNS, type RefundRow } from './refunds';
import { T } from './tables';
import { WITHDRAWAL_LINKS, WITHDRAWAL_LINK_COLUMNS, type WithdrawalLinkRow } from './withdrawalLinks';

/**
 * Which money-out rows have a workflow (migration 170). A row is recorded and its money reserved in one
 * transaction, and its workflow started after the commit; `workflow_started_at` is set once Temporal
 * confirmed that start. Open rows without it are what the money-out starter (src/services/moneyOutStarter.ts)
 * starts: the reads below use the tables' partial indexes on the unmarked rows.
 */
export type MoneyOutTable = 'payouts' | 'refunds' | 'withdrawal_links';

/** Notes that the row's workflow runs or ran (a start succeeded, or found it there). Idempotent. */
export async function markWorkflowStarted(db: DbOrTx, table: MoneyOutTable, id: string, now: number): Promise<void> {
  await db(table).where({ id }).whereNull('workflow_started_at').update({ workflow_started_at: now });
}

/** Unpaid payouts created before `createdBefore` whose workflow was never confirmed, oldest first. */
export async function unstartedPayouts(db: DbOrTx, createdBefore: number, limit: number): Promise<PayoutRow[]> {
  return db(T.payouts).select(PAYOUT_COLUMNS).whereNull('workflow_started_at').andWhere('created', '<', createdBefore)
    .andWhere({ status: 'unpaid' }).orderBy('created').limit(limit);
}

/** Pending refunds created before `createdBefore` whose workflow was never confirmed, oldest first. */
export async function unstartedRefunds(db: DbOrTx, createdBefore: number, limit: number): Promise<RefundRow[]> {
  return db(REFUNDS).select(REFUND_COLUMNS).whereNull('workflow_started_at').andWhere('created', '<', createdBefore)
    .andWhere({ status: 'pending' }).orderBy('created').limit(limit);
}

/**
 * Open withdrawal links created before `createdBefore` whose workflow was never confirmed, oldest
 * first. A refund's link is left out while the refund's own workflow is unconfirmed: the refund must be
 * listening before its link can end, so the refund's start starts the link after it.
 */
export async function unstartedWithdrawalLinks(db: DbOrTx, createdBefore: number, limit: number): Promise<WithdrawalLinkRow[]> {
  return db(WITHDRAWAL_LINKS).select(WITHDRAWAL_LINK_COLUMNS.map((c) => `${WITHDRAWAL_LINKS}.${c}`))
    .leftJoin(REFUNDS, `${REFUNDS}.id`, `${WITHDRAWAL_LINKS}.refund_id`)
    .whereNull(`${WITHDRAWAL_LINKS}.workflow_started_at`).andWhere(`${WITHDRAWAL_LINKS}.created`, '<', createdBefore)
    .whereIn(`${WITHDRAWAL_LINKS}.status`, ['active', 'processing'])
    .andWhere((q) => q.whereNull(`${WITHDRAWAL_LINKS}.refund_id`).orWhereNotNull(`${REFUNDS}.workflow_started_at`))
    .orderBy(`${WITHDRAWAL_LINKS}.created`).limit(limit);
}
