import { randomBytes } from 'node:crypto';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { AppConfig } from '../config';
import type { CreateWithdrawalLinkInput } from '../domain/input/withdrawalLink';
import { CheckoutError } from '../domain/errors';
import { recordEventForDispatch } from '../db/events';
import { InsufficientFundsError, reserve } from '../db/funds';
import { markWorkflowStarted } from '../db/moneyOutStarts';
import type { DbOrTx } from '../db/knex';
import type { PageOptions } from '../db/pagination';
import type { Scope } from '../db/sessions';
import {
  findWithdrawalLink, insertWithdrawalLink, listWithdrawalLinks, type WithdrawalLinkRow, type WithdrawalLinkStatus,
} from '../db/withdrawalLinks';
import { lightningFeeLimit } from '../domain/feeLimit';
import { idFromSeed } from '../domain/ids';
import { decimalFromJsonNumber } from '../domain/money';
import { withCallDeadline } from '../temporal/deadline';
import {
  deactivateWithdrawalLinkUpdate, WITHDRAWAL_LINK_WORKFLOW_TYPE, type WithdrawalLinkWorkflowInput,
} from '../temporal/withdrawalDefinitions';
import { withdrawalLinkView, type WithdrawalLinkView } from '../views/withdrawalLink';
import type { ServiceContext } from './context';
import { assertCanSend, priceNow } from './moneyOutPrice';

/** The account cannot cover an amount (plus its fee limit): a 400 `insufficient_funds` naming the field. */
/** The balance cannot cover a link's or refund's amount + routing-fee limit (nothing was reserved). */
export function insufficientFunds(err: InsufficientFundsError, param: string): CheckoutError {
  return new CheckoutError('insufficient_funds', `Insufficient funds: ${err.requested} sats (amount + routing-fee limit) requested, ${err.available} sats available.`, param);
}

/** What a new link is: its sats fixed, its terms as the merchant gave them. */
export interface LinkTerms {
  currency: string;
  amount: string;
  exchangeRate: string;
  sats: bigint;
  ttlSeconds: number | null;
  description: string | null;
  statementDescriptor: string | null;
  metadata: Record<string, unknown> | null;
  refundId: string | null;
}

/**
 * Records a link, reserves its sats plus the routing-fee limit and records `withdrawal_link.created`, in
 * the caller's transaction: the reservation exists exactly when the link does, and a refusal
 * (`insufficient_funds`) leaves neither. A retry with the same seed finds the first link and reserves
 * nothing again. Returns the row and the event to dispatch after commit.
 */
export async function recordWithdrawalLink(
  tx: DbOrTx, config: Pick<AppConfig, 'publicUrl' | 'payouts'>, scope: Scope, terms: LinkTerms, seed: string, param = 'amount',
): Promise<{ row: WithdrawalLinkRow; eventId: string | null; created: boolean }> {
  const id = idFromSeed('wlink', seed);
  const existing = await findWithdrawalLink(tx, id, scope);
  if (existing) return { row: existing, eventId: null, created: false };
  const now = Date.now();
  const feeLimit = lightningFeeLimit(terms.sats, config.payouts);
  const row = await insertWithdrawalLink(tx, {
    id, account_id: scope.accountId, livemode: scope.livemode, currency: terms.currency, amount: terms.amount,
    exchange_rate: terms.exchangeRate, target_amount: terms.sats.toString(), fee_limit: feeLimit.toString(),
    // The withdraw request's secret: random, never derived from the seed (anyone may know a seed's IDs).
    k1: randomBytes(32).toString('hex'), expires_at: terms.ttlSeconds === null ? null : String(now + terms.ttlSeconds * 1000),
    description: terms.description, statement_descriptor: terms.statementDescriptor, metadata: terms.metadata, refund_id: terms.refundId,
    created: String(now),
  });
  if (!row) return { row: (await findWithdrawalLink(tx, id, scope))!, eventId: null, created: false };
  try {
    await reserve(tx, scope.accountId, scope.livemode, terms.sats + feeLimit);
  } catch (err) {
    if (err instanceof InsufficientFundsError) throw insufficientFunds(err, param);
    throw err;
  }
  const eventId = await recordEventForDispatch(tx, {
    dedupeKey: `${id}:created`, accountId: scope.accountId, livemode: scope.livemode, type: 'withdrawal_link.created',
    objectId: id, data: { object: withdrawalLinkView(row, config.publicUrl) }, created: now,
  });
  return { row, eventId, created: true };
}

/**
 * Starts a link's workflow (ID = the link's ID), then marks the row started (src/db/moneyOutStarts.ts).
 * Idempotent: a start for a link whose workflow runs or ran is a no-op, so a retried create, a refund's
 * retry or the money-out starter never makes a second one.
 */
export async function startWithdrawalLinkWorkflow(ctx: ServiceContext, row: WithdrawalLinkRow): Promise<void> {
  const input: WithdrawalLinkWorkflowInput = { linkId: row.id, expiresAt: row.expires_at === null ? null : Number(row.expires_at) };
  await withCallDeadline(ctx.temporal, ctx.config.temporalCallTimeoutMs, () => ctx.temporal.workflow.start(WITHDRAWAL_LINK_WORKFLOW_TYPE, {
    workflowId: row.id, taskQueue: ctx.config.temporal.taskQueue, args: [input],
    workflowIdConflictPolicy: 'USE_EXISTING', workflowIdReusePolicy: 'REJECT_DUPLICATE',
    staticSummary: `Withdrawal link ${row.target_amount} sats for ${row.account_id}`,
  })).catch((err: unknown) => {
    // The workflow of this link ran already and closed: nothing to start.
    if ((err as Error)?.name === 'WorkflowExecutionAlreadyStartedError') return;
    throw err;
  });
  if (row.workflow_started_at === null) await markWorkflowStarted(ctx.db, 'withdrawal_links', row.id, Date.now());
}

/** `POST /withdrawal-links`: prices, records and reserves in one transaction, then starts the workflow. */
export async function createWithdrawalLink(ctx: ServiceContext, scope: Scope, input: CreateWithdrawalLinkInput, seed: string): Promise<WithdrawalLinkView> {
  assertCanSend(ctx, scope);
  const amount = decimalFromJsonNumber(input.amount)!;
  const price = await priceNow(ctx, scope, input.currency, amount);
  // Its event stays in the outbox: the relay (src/webhooks/sweeper.ts) is the only dispatcher.
  const { row } = await ctx.db.transaction((tx) => recordWithdrawalLink(tx, ctx.config, scope, {
    currency: input.currency, amount, exchangeRate: price.exchangeRate, sats: price.sats, ttlSeconds: input.ttl ?? null,
    description: input.description ?? null, statementDescriptor: input.statement_descriptor ?? null, metadata: input.metadata ?? null, refundId: null,
  }, seed));
  await startWithdrawalLinkWorkflow(ctx, row);
  return withdrawalLinkView(row, ctx.config.publicUrl);
}

/** Reads a link scoped to an account and mode (others get 404). */
export async function getWithdrawalLink(ctx: ServiceContext, id: string, scope: Scope): Promise<WithdrawalLinkView> {
  const row = await findWithdrawalLink(ctx.db, id, scope);
  if (!row) throw CheckoutError.notFound('withdrawal link', id);
  return withdrawalLinkView(row, ctx.config.publicUrl);
}

/** A page of links, newest first. */
export async function listWithdrawalLinkViews(ctx: ServiceContext, scope: Scope, opts: PageOptions & { status?: WithdrawalLinkStatus }) {
  const { rows, hasMore } = await listWithdrawalLinks(ctx.db, scope, opts);
  return { data: rows.map((r) => withdrawalLinkView(r, ctx.config.publicUrl)), hasMore };
}

/** Deactivates an active link through its workflow (which releases the reserve); others are a 409. */
export async function deactivateWithdrawalLink(ctx: ServiceContext, id: string, scope: Scope): Promise<WithdrawalLinkView> {
  const row = await findWithdrawalLink(ctx.db, id, scope);
  if (!row) throw CheckoutError.notFound('withdrawal link', id);
  if (row.status !== 'active') throw CheckoutError.unexpectedState(`A ${row.status} withdrawal link cannot be deactivated.`, 'id');
  try {
    await withCallDeadline(ctx.temporal, ctx.config.temporalCallTimeoutMs,
      () => ctx.temporal.workflow.getHandle(id).executeUpdate(deactivateWithdrawalLinkUpdate));
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError) throw CheckoutError.unexpectedState(err.cause?.message ?? err.message, 'id');
    throw err;
  }
  return getWithdrawalLink(ctx, id, scope);
}
