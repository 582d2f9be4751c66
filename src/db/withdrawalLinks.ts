import type { DbOrTx } from './knex';
import { pageQuery, type PageOptions } from './pagination';
import type { Scope } from './sessions';
import { columnsOf } from './columns';

export const WITHDRAWAL_LINKS = 'withdrawal_links';

export type WithdrawalLinkStatus = 'active' | 'processing' | 'paid' | 'expired' | 'deactivated';

/** A withdrawal_links row (int8 and numeric columns come back as strings). */
export interface WithdrawalLinkRow {
  id: string;
  account_id: string;
  livemode: boolean;
  status: WithdrawalLinkStatus;
  currency: string;
  amount: string;
  exchange_rate: string;
  target_amount: string;
  fee_limit: string;
  k1: string;
  expires_at: string | null;
  description: string | null;
  statement_descriptor: string | null;
  metadata: Record<string, unknown> | null;
  refund_id: string | null;
  payment_request: string | null;
  payment_hash: string | null;
  fee: string | null;
  failure_reason: string | null;
  paid_at: string | null;
  created: string;
  modified: string;
  /** When Temporal confirmed its workflow (ms); null until then: the money-out starter starts it (migration 170). */
  workflow_started_at: string | null;
}

/** Every column of `withdrawal_links`, as WithdrawalLinkRow names them. */
export const WITHDRAWAL_LINK_COLUMNS = columnsOf<WithdrawalLinkRow>()([
  'id', 'account_id', 'livemode', 'status', 'currency', 'amount', 'exchange_rate', 'target_amount',
  'fee_limit', 'k1', 'expires_at', 'description', 'statement_descriptor', 'metadata', 'refund_id',
  'payment_request', 'payment_hash', 'fee', 'failure_reason', 'paid_at', 'created', 'modified', 'workflow_started_at',
]);

export type NewWithdrawalLink = Omit<WithdrawalLinkRow, 'status' | 'payment_request' | 'payment_hash' | 'fee' | 'failure_reason' | 'paid_at' | 'modified' | 'workflow_started_at'>;

/** Inserts a link as `active`; returns it, or undefined when its ID existed (a retried create). */
export async function insertWithdrawalLink(db: DbOrTx, row: NewWithdrawalLink): Promise<WithdrawalLinkRow | undefined> {
  const [inserted] = await db(WITHDRAWAL_LINKS)
    .insert({ ...row, status: 'active', metadata: row.metadata === null ? null : JSON.stringify(row.metadata), modified: row.created })
    .onConflict('id').ignore().returning(WITHDRAWAL_LINK_COLUMNS);
  return inserted;
}

/** A link, optionally scoped to an account and mode (the public LNURL endpoints look it up unscoped). */
export async function findWithdrawalLink(db: DbOrTx, id: string, scope?: Scope): Promise<WithdrawalLinkRow | undefined> {
  const q = db(WITHDRAWAL_LINKS).select(WITHDRAWAL_LINK_COLUMNS).where({ id });
  if (scope) q.andWhere({ account_id: scope.accountId, livemode: scope.livemode });
  return q.first();
}

/** Locks a link's row for the rest of the transaction (check-before-act on its status). */
export async function lockWithdrawalLink(db: DbOrTx, id: string): Promise<WithdrawalLinkRow | undefined> {
  return db(WITHDRAWAL_LINKS).select(WITHDRAWAL_LINK_COLUMNS).where({ id }).forUpdate().first();
}

/** Writes the columns a status change sets; the caller holds the row's lock. */
export async function updateWithdrawalLink(
  db: DbOrTx, id: string, change: Partial<Pick<WithdrawalLinkRow, 'status' | 'payment_request' | 'payment_hash' | 'fee' | 'failure_reason' | 'paid_at'>>, now: number,
): Promise<WithdrawalLinkRow> {
  const [row] = await db(WITHDRAWAL_LINKS).where({ id }).update({ ...change, modified: now }).returning(WITHDRAWAL_LINK_COLUMNS);
  return row;
}

/** A page of an account's links, newest first. */
export async function listWithdrawalLinks(db: DbOrTx, scope: Scope, opts: PageOptions & { status?: WithdrawalLinkStatus }) {
  return pageQuery<WithdrawalLinkRow>(db, WITHDRAWAL_LINKS, WITHDRAWAL_LINK_COLUMNS, {
    account_id: scope.accountId, livemode: scope.livemode, ...(opts.status ? { status: opts.status } : {}),
  }, opts, undefined, { account_id: scope.accountId, livemode: scope.livemode });
}
