import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { CreateRefundInput } from '../domain/input/refund';
import { CheckoutError } from '../domain/errors';
import { decodeAndVerifyInvoice, InvalidInvoiceError } from '../bitcoin';
import { recordEventForDispatch } from '../db/events';
import { accountFunds, InsufficientFundsError, reserve } from '../db/funds';
import type { DbOrTx } from '../db/knex';
import { NegativeBalanceError, postLedgerTransaction } from '../db/ledger';
import type { PageOptions } from '../db/pagination';
import { markWorkflowStarted } from '../db/moneyOutStarts';
import { findPayment, fundedPayments } from '../db/payments';
import { findWithdrawalLink } from '../db/withdrawalLinks';
import {
  findRefund, insertRefund, listRefunds, moveSessionRefunded, paidTransfersOf, refundedSats, updateRefund, type RefundRow,
} from '../db/refunds';
import { SESSION_ROW_COLUMNS, type Scope, type SessionRow } from '../db/sessions';
import { T } from '../db/tables';
import { lightningFeeLimit } from '../domain/feeLimit';
import { idFromSeed } from '../domain/ids';
import { decimalFromJsonNumber } from '../domain/money';
import { planRefund, reversalShares } from '../domain/refund';
import { MIN_INVOICE_REMAINING_MS } from '../domain/withdrawalClaim';
import { withCallDeadline } from '../temporal/deadline';
import { deactivateWithdrawalLinkUpdate, REFUND_WORKFLOW_TYPE, type RefundWorkflowInput } from '../temporal/withdrawalDefinitions';
import { currentExchangeRate } from '../rates';
import { refundView, type RefundView } from '../views/refund';
import { refreshSessionView } from '../views/storedSessionView';
import type { ServiceContext } from './context';
import { assertCanSend } from './moneyOutPrice';
import { checkCurrencyPriced } from './rateCheck';
import { insufficientFunds, recordWithdrawalLink, startWithdrawalLinkWorkflow } from './withdrawalLinks';
import { resolveDestination } from './payoutDestination';
import { platformNodeKey } from './payouts';
import { isLightningAddress, isLnurl } from '../bitcoin/lnurl';

const DEFAULT_LINK_TTL_SECONDS = 30 * 86_400;

/**
 * `POST /refunds`. Everything that can refuse does so before anything is written or any workflow
 * starts, in one transaction that locks the session's row (so concurrent refunds of one session queue
 * and can never together exceed what it received): the amount rules, the destination invoice, the
 * transfer reversals (never more than a recipient still holds) and the reservation (`insufficient_funds`).
 * Then the refund's workflow starts, and, for the default method, the withdrawal link's. A retried request
 * (same Idempotency-Key, so same ID) finds the refund and (re)starts its workflows only.
 */
export async function createRefund(ctx: ServiceContext, scope: Scope, input: CreateRefundInput, seed: string): Promise<RefundView> {
  assertCanSend(ctx, scope);
  const id = idFromSeed('re', seed);
  const existing = await findRefund(ctx.db, id, scope);
  if (existing) {
    // A retried create: the first may have committed and then failed to start the workflows (Temporal
    // unreachable, a 503): without them the refund would stay pending with its money reserved.
    const link = existing.withdrawal_link_id ? await findWithdrawalLink(ctx.db, existing.withdrawal_link_id, scope) : undefined;
    await startRefundWorkflows(ctx, existing, link ?? null);
    return refundView(existing, ctx.config.publicUrl);
  }
  const currentRate = input.rate === 'current' ? await rateNow(ctx, scope, input.checkout_session) : undefined;
  // A Lightning Address or LNURL-pay is resolved to an invoice for the refund's sats before the transaction
  // (a third party's server may be slow; no lock waits on it); inside, the invoice is checked like any other.
  const lnurl = input.withdraw_method === 'lightning' ? lnurlTarget(input.withdraw_request!) : null;
  const resolved = lnurl ? await resolveRefundInvoice(ctx, scope, lnurl, (await planOf(ctx.db, scope, input, currentRate)).plan.sats) : null;
  const { row, link } = await ctx.db.transaction(async (tx) => {
    const { session, received, type, plan } = await planOf(tx, scope, input, currentRate, { lock: true });
    const now = Date.now();
    const destination = input.withdraw_method === 'lightning' ? checkInvoice(ctx, scope, resolved ?? input.withdraw_request!, plan.sats, now) : null;
    const reversals = input.reverse_transfers ? reversalShares(await paidTransfersOf(tx, session.id, input.payment), received, plan.sats) : [];
    for (const r of reversals) await reverseShare(tx, scope, id, session.id, r, now);

    const feeLimit = destination ? lightningFeeLimit(plan.sats, ctx.config.payouts) : null;
    const row = (await insertRefund(tx, {
      id, account_id: scope.accountId, livemode: scope.livemode, checkout_session_id: session.id, payment_id: input.payment ?? null,
      type, currency: session.currency, amount: plan.amount, rate: input.rate, exchange_rate: plan.exchangeRate, target_amount: plan.sats.toString(),
      reverse_transfers: input.reverse_transfers, transfer_reversals: reversals.map((r) => ({ account: r.account, amount: r.amount.toString() })),
      withdraw_method: input.withdraw_method, withdraw_request: destination?.paymentRequest ?? null, payment_hash: destination?.paymentHash ?? null,
      fee_limit: feeLimit?.toString() ?? null, withdrawal_link_id: null, reason: input.reason ?? null, metadata: input.metadata ?? null,
      created: String(now),
    }))!;
    await moveSessionRefunded(tx, session.id, plan.amount, plan.sats, 1);
    await refreshSessionView(tx, session.id);
    let link = null;
    if (destination) {
      await reserveOr400(tx, scope, plan.sats + feeLimit!, 'amount');
    } else {
      const recorded = await recordWithdrawalLink(tx, ctx.config, scope, {
        currency: session.currency, amount: plan.amount, exchangeRate: plan.exchangeRate, sats: plan.sats,
        ttlSeconds: input.ttl ?? DEFAULT_LINK_TTL_SECONDS, description: `Refund of ${session.id}`,
        statementDescriptor: null, metadata: null, refundId: id,
      }, `${seed}:refund-link`);
      link = recorded.row;
    }
    const stored = link ? await updateRefund(tx, id, { withdrawal_link_id: link.id }, now) : row;
    // Its events stay in the outbox: the relay (src/webhooks/sweeper.ts) is the only dispatcher.
    await recordEventForDispatch(tx, {
      dedupeKey: `${id}:created`, accountId: scope.accountId, livemode: scope.livemode, type: 'refund.created', objectId: id,
      data: { object: refundView(stored, ctx.config.publicUrl) }, created: now,
    });
    return { row: stored, link };
  });
  await startRefundWorkflows(ctx, row, link);
  return refundView(row, ctx.config.publicUrl);
}

/**
 * The refund's amount from the session's (or payment's) receipts and earlier refunds, or a 400. With
 * `lock` (in the create's transaction) the session's row stays locked, so concurrent refunds queue.
 */
async function planOf(tx: DbOrTx, scope: Scope, input: CreateRefundInput, currentRate: string | undefined, opts: { lock?: boolean } = {}) {
  const q = tx(T.sessions).select(SESSION_ROW_COLUMNS).where({ id: input.checkout_session, account_id: scope.accountId, livemode: scope.livemode }).first();
  if (opts.lock) q.forUpdate();
  const session: SessionRow | undefined = await q;
  if (!session) throw new CheckoutError('invalid_data', `No such checkout session: '${input.checkout_session}'`, 'checkout_session');
  const funded = await fundedPayments(tx, session.id);
  const payment = input.payment ? await findPayment(tx, input.payment, scope) : funded[funded.length - 1];
  if (input.payment && (!payment || payment.checkout_session_id !== session.id)) {
    throw new CheckoutError('invalid_data', `No such payment of ${session.id}: '${input.payment}'`, 'payment');
  }
  const received = input.payment ? BigInt(payment!.received_sats) : BigInt(session.target_amount_paid);
  const type = input.type ?? (input.amount === undefined ? 'full' : 'partial');
  const plan = planRefund({
    status: session.status, exceptionStatus: session.exception_status, currency: session.currency, price: session.amount,
    receivedSats: received, refundedSats: await refundedSats(tx, session.id, input.payment), originalRate: payment?.exchange_rate ?? '1',
  }, { type, amount: input.amount === undefined ? undefined : decimalFromJsonNumber(input.amount)!, rate: input.rate, currentRate });
  if (!plan.ok) throw new CheckoutError('invalid_data', plan.message, plan.param);
  // A refund of a payment also stays within what its session received minus its other refunds.
  if (input.payment && plan.sats > BigInt(session.target_amount_paid) - await refundedSats(tx, session.id)) {
    throw new CheckoutError('invalid_data', 'The refund is more than the checkout session received minus what was refunded', 'amount');
  }
  return { session, received, type, plan };
}

/** A Lightning Address (`name@domain`) or an LNURL-pay, as the refund's destination; null for a BOLT11. */
function lnurlTarget(request: string): string | null {
  const target = request.trim().replace(/^lightning:/i, '');
  return isLightningAddress(target) || isLnurl(target) ? target : null;
}

/** The customer's Lightning Address or LNURL-pay resolved (LUD-16 / LUD-06) to an invoice for exactly `sats`, checked as a payout's is. */
async function resolveRefundInvoice(ctx: ServiceContext, scope: Scope, target: string, sats: bigint): Promise<string> {
  const dest = await resolveDestination({
    network: scope.livemode ? ctx.config.bitcoinNetwork : ctx.config.bitcoinTestNetwork, now: Date.now(), lnurl: { allowHttp: ctx.config.payouts.lnurlAllowHttp, allowPrivateNetworks: ctx.config.payouts.lnurlAllowPrivateNetworks },
    platformNodeKey: () => platformNodeKey(ctx, scope.livemode), alreadyPaid: async () => false,
  }, 'lightning', target, sats);
  return dest.paymentRequest!;
}

/**
 * The refund's workflow first, then its link's: the link tells the refund how it ended, so the refund
 * must be listening before the link can end. Each row is marked started once Temporal confirmed its
 * workflow (src/db/moneyOutStarts.ts). Both starts are idempotent (a retried create, the money-out starter).
 */
export async function startRefundWorkflows(ctx: ServiceContext, row: RefundRow, link: Parameters<typeof startWithdrawalLinkWorkflow>[1] | null): Promise<void> {
  const input: RefundWorkflowInput = { refundId: row.id };
  await withCallDeadline(ctx.temporal, ctx.config.temporalCallTimeoutMs, () => ctx.temporal.workflow.start(REFUND_WORKFLOW_TYPE, {
    workflowId: row.id, taskQueue: ctx.config.temporal.taskQueue, args: [input],
    workflowIdConflictPolicy: 'USE_EXISTING', workflowIdReusePolicy: 'REJECT_DUPLICATE',
    staticSummary: `Refund ${row.target_amount} sats of ${row.checkout_session_id}`,
  })).catch((err: unknown) => {
    if ((err as Error)?.name === 'WorkflowExecutionAlreadyStartedError') return;
    throw err;
  });
  if (row.workflow_started_at === null) await markWorkflowStarted(ctx.db, 'refunds', row.id, Date.now());
  if (link) await startWithdrawalLinkWorkflow(ctx, link);
}

/** Today's rate of the session's currency in the scope's mode (before the transaction: a rate API may be slow). */
async function rateNow(ctx: ServiceContext, scope: Scope, sessionId: string): Promise<string | undefined> {
  const session = await ctx.db(T.sessions).first('currency').where({ id: sessionId, account_id: scope.accountId, livemode: scope.livemode });
  if (!session) return undefined;
  await checkCurrencyPriced(ctx, scope, session.currency);
  const provider = scope.livemode ? ctx.rates?.live : ctx.rates?.test;
  return provider ? currentExchangeRate(provider, session.currency) : undefined;
}

/** The customer's invoice, checked like a withdraw claim: the mode's network, exactly the refund, not expiring. */
function checkInvoice(ctx: ServiceContext, scope: Scope, paymentRequest: string, sats: bigint, now: number) {
  const network = scope.livemode ? ctx.config.bitcoinNetwork : ctx.config.bitcoinTestNetwork;
  let invoice;
  try {
    invoice = decodeAndVerifyInvoice(paymentRequest.trim(), undefined, network);
  } catch (err) {
    if (err instanceof InvalidInvoiceError) {
      const zero = /no amount/.test(err.message) ? ' (an invoice without an amount cannot be used: make one for exactly the refund)' : '';
      throw new CheckoutError('invalid_data', `Invalid invoice for ${network}: ${err.message}${zero}`, 'withdraw_request');
    }
    throw err;
  }
  if (invoice.amountSats !== sats) {
    throw new CheckoutError('invalid_data', `The invoice is for ${invoice.amountSats} sats; the refund is ${sats} sats`, 'withdraw_request');
  }
  if (invoice.expiresAt - now < MIN_INVOICE_REMAINING_MS) throw new CheckoutError('invalid_data', 'The invoice has expired or expires too soon', 'withdraw_request');
  return { paymentRequest: paymentRequest.trim(), paymentHash: invoice.paymentHash };
}

/** Takes a split recipient's share back to the merchant; more than it still holds is a 400 on `reverse_transfers`. */
async function reverseShare(tx: DbOrTx, scope: Scope, refundId: string, sessionId: string, r: { account: string; amount: bigint }, now: number) {
  const refuse = (available: bigint) => new CheckoutError('invalid_data', 
    `Cannot reverse ${r.amount} sats from ${r.account}: it holds only ${available} sats it could give back`, 'reverse_transfers');
  const funds = await accountFunds(tx, r.account, scope.livemode);
  if (funds.available < r.amount) throw refuse(funds.available);
  try {
    await postLedgerTransaction(tx, {
      key: `${refundId}:reversal:${r.account}`, type: 'transfer_reversal', livemode: scope.livemode, sessionId, now,
      description: `Transfer reversal for refund ${refundId}`, entries: [{ accountId: r.account, amount: -r.amount }, { accountId: scope.accountId, amount: r.amount }],
    });
  } catch (err) {
    // A payout of the recipient reserved it in the meantime: the balance CHECK refused the move.
    if (err instanceof NegativeBalanceError) throw refuse((await accountFunds(tx, r.account, scope.livemode)).available);
    throw err;
  }
}

async function reserveOr400(tx: DbOrTx, scope: Scope, sats: bigint, param: string): Promise<void> {
  try {
    await reserve(tx, scope.accountId, scope.livemode, sats);
  } catch (err) {
    if (err instanceof InsufficientFundsError) throw insufficientFunds(err, param);
    throw err;
  }
}

export async function getRefund(ctx: ServiceContext, id: string, scope: Scope): Promise<RefundView> {
  const row = await findRefund(ctx.db, id, scope);
  if (!row) throw CheckoutError.notFound('refund', id);
  return refundView(row, ctx.config.publicUrl);
}

export async function listRefundViews(ctx: ServiceContext, scope: Scope, opts: PageOptions & { sessionId?: string }) {
  const { rows, hasMore } = await listRefunds(ctx.db, scope, opts);
  return { data: rows.map((r) => refundView(r, ctx.config.publicUrl)), hasMore };
}

/**
 * Cancels a pending refund paid as a withdrawal link that nobody claimed yet: the link is deactivated
 * (its reserve released) and the refund becomes `canceled`. A refund being paid cannot be canceled.
 */
export async function cancelRefund(ctx: ServiceContext, id: string, scope: Scope): Promise<RefundView> {
  const row = await findRefund(ctx.db, id, scope);
  if (!row) throw CheckoutError.notFound('refund', id);
  if (row.status !== 'pending' || !row.withdrawal_link_id) {
    throw CheckoutError.unexpectedState(`Only a pending refund paid as a withdrawal link can be canceled; this one is ${row.status}${row.withdrawal_link_id ? '' : ' and pays an invoice'}.`, 'id');
  }
  try {
    await withCallDeadline(ctx.temporal, ctx.config.temporalCallTimeoutMs,
      () => ctx.temporal.workflow.getHandle(row.withdrawal_link_id!).executeUpdate(deactivateWithdrawalLinkUpdate));
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError) throw CheckoutError.unexpectedState(`The refund's withdrawal link cannot be deactivated: ${err.cause?.message ?? err.message}`, 'id');
    throw err;
  }
  // The link's workflow tells the refund's, which records `canceled` a moment later: answer with that.
  for (let i = 0; i < 50; i++) {
    const now = await findRefund(ctx.db, id, scope);
    if (now && now.status !== 'pending') return refundView(now, ctx.config.publicUrl);
    await new Promise((r) => setTimeout(r, 100));
  }
  return getRefund(ctx, id, scope);
}
