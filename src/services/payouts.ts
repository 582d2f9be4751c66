import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { nodePublicKey } from '../bitcoin';
import { CheckoutError } from '../domain/errors';
import { recordEventForDispatch } from '../db/events';
import { InsufficientFundsError } from '../db/funds';
import { markWorkflowStarted } from '../db/moneyOutStarts';
import { DuplicatePaymentHashError, findPayout, findPayoutByHash, insertPayoutWithReservation, listPayouts, type PayoutRow } from '../db/payouts';
import type { PageOptions } from '../db/pagination';
import type { Scope } from '../db/sessions';
import { idFromSeed } from '../domain/ids';
import { lightningNodeKey } from '../infra/localSecrets';
import { currentExchangeRate, toTargetSats } from '../rates';
import { withCallDeadline } from '../temporal/deadline';
import { PAYOUT_WORKFLOW_TYPE } from '../temporal/payoutDefinitions';
import { payoutView } from '../views/payout';
import type { ServiceContext } from './context';
import { resolveDestination } from './payoutDestination';

/** Body of `POST /instant-sends` (validated by the route's schema). */
export interface NewInstantSend {
  amount?: string;
  currency: string;
  withdraw_method: 'lightning' | 'onchain';
  withdraw_request: string;
  note?: string;
}

type PayoutContext = ServiceContext;

/** 400 `insufficient_funds`: the amount plus its fee limit exceeds the available balance. */
/** A payout's amount + fee limit above the available balance: `invalid_data` on `amount`, code `insufficient_funds`. */
function insufficientFunds(available: bigint, needed: bigint): CheckoutError {
  return new CheckoutError('invalid_data', `insufficient_funds: ${needed} sats needed (amount + network fee limit), ${available} available.`, 'amount',
    'insufficient_funds');
}

/**
 * Creates a payout: converts the amount at the current rate (locked), resolves and checks the destination,
 * then records the payout and reserves amount + fee limit in one transaction, and starts its workflow
 * (ID = payout ID). Anything wrong is a 400 naming the field before anything is reserved. A retried
 * request (same Idempotency-Key, so same ID) finds the payout and (re)starts its workflow only.
 */
export async function createInstantSend(ctx: PayoutContext, scope: Scope, input: NewInstantSend, seed: string) {
  const id = idFromSeed('is', seed);
  const existing = await findPayout(ctx.db, id, scope);
  if (existing) return startAndView(ctx, existing);
  const mode = scope.livemode ? 'live' : 'test';
  if (scope.livemode && !ctx.payoutSender) {
    throw new CheckoutError('invalid_data', 'Payouts in live mode need the node\'s sending macaroon (LND_PAYOUT_MACAROON_PATH).', 'withdraw_method');
  }
  const rates = ctx.rates?.[mode];
  if (!rates) throw new CheckoutError('invalid_data', 'No exchange-rate source is configured for this mode.', 'currency');
  const exchangeRate = await currentExchangeRate(rates, input.currency).catch((err: Error) => {
    throw new CheckoutError('invalid_data', `Cannot price ${input.currency}: ${err.message}`, 'currency');
  });
  const requested = input.amount === undefined ? null : toTargetSats(input.amount, exchangeRate);
  if (requested !== null && requested <= 0n) throw new CheckoutError('invalid_data', 'The amount is less than 1 sat.', 'amount');
  const now = Date.now();
  const network = scope.livemode ? ctx.config.bitcoinNetwork : ctx.config.bitcoinTestNetwork;
  const dest = await resolveDestination({
    network, now, lnurl: { allowHttp: ctx.config.payouts.lnurlAllowHttp, allowPrivateNetworks: ctx.config.payouts.lnurlAllowPrivateNetworks },
    platformNodeKey: () => platformNodeKey(ctx, scope.livemode),
    alreadyPaid: async (hash) => {
      const known = await findPayoutByHash(ctx.db, scope.livemode, hash);
      if (known && known.status !== 'failed') return true;
      if (!scope.livemode) return false;
      const p = await ctx.payoutSender!.paymentByHash(hash, 3_000).catch(() => ({ status: 'IN_FLIGHT' as const }));
      return p !== null && (p.status === 'SUCCEEDED' || p.status === 'IN_FLIGHT');
    },
  }, input.withdraw_method, input.withdraw_request, requested);
  const feeLimit = input.withdraw_method === 'lightning' ? lightningFeeLimit(ctx, dest.sats) : await onchainFeeLimit(ctx, scope, dest);
  const amount = requested !== null ? input.amount! : input.currency === 'SATS' ? dest.sats.toString() : null;
  if (amount === null) throw new CheckoutError('invalid_data', 'Give the amount (the invoice names sats, the request another currency).', 'amount');
  const row: PayoutRow = {
    id, account_id: scope.accountId, livemode: scope.livemode, status: 'unpaid', withdraw_method: input.withdraw_method,
    withdraw_type: dest.type, withdraw_request: input.withdraw_request, payment_request: dest.paymentRequest, payment_hash: dest.paymentHash,
    onchain_address: dest.address, currency: input.currency, amount, exchange_rate: exchangeRate, target_amount: dest.sats.toString(),
    fee_limit: feeLimit.toString(), reserved_amount: (dest.sats + feeLimit).toString(), fee: null, txid: null, raw_tx: null,
    failure_reason: null, note: input.note ?? null, created: String(now), modified: String(now), workflow_started_at: null,
  };
  const stored = await ctx.db.transaction(async (tx) => {
    const result = await insertPayoutWithReservation(tx, row);
    if (result.inserted) {
      // The event stays in the outbox: the relay (src/webhooks/sweeper.ts) is the only dispatcher.
      await recordEventForDispatch(tx, { dedupeKey: `${id}:created`, accountId: scope.accountId, livemode: scope.livemode,
        type: 'instant_send.created', objectId: id, data: { object: payoutView(result.row, network) }, created: now });
    }
    return result.row;
  }).catch((err: unknown) => {
    if (err instanceof InsufficientFundsError) throw insufficientFunds(err.available, err.requested);
    if (err instanceof DuplicatePaymentHashError) throw new CheckoutError('invalid_data', 'The invoice is already paid (or being paid).', 'withdraw_request');
    throw err;
  });
  return startAndView(ctx, stored);
}

/** The node key of the mode's platform node (the live LND's identity, or test mode's simulated node): its own invoices are refused. */
export async function platformNodeKey(ctx: ServiceContext, livemode: boolean): Promise<string> {
  return livemode ? ctx.payoutSender!.identityPubkey() : nodePublicKey(lightningNodeKey(ctx.config.dataDir, ctx.config.lightningNodeKey));
}

/** Starts the payout's workflow unless it runs or ran; the payout as the API shows it. */
async function startAndView(ctx: PayoutContext, p: PayoutRow) {
  await startPayoutWorkflow(ctx, p);
  return payoutView(p, networkOf(ctx, p.livemode));
}

/**
 * Starts the payout's workflow (ID = payout ID) unless it runs or ran, then marks the row started
 * (src/db/moneyOutStarts.ts). Idempotent: the create, its retries and the money-out starter all call it.
 */
export async function startPayoutWorkflow(ctx: ServiceContext, p: PayoutRow): Promise<void> {
  try {
    await withCallDeadline(ctx.temporal, ctx.config.temporalCallTimeoutMs, () => ctx.temporal.workflow.start(PAYOUT_WORKFLOW_TYPE, {
      workflowId: p.id, taskQueue: ctx.config.temporal.taskQueue, args: [{ payoutId: p.id }],
      workflowIdConflictPolicy: 'USE_EXISTING', workflowIdReusePolicy: 'REJECT_DUPLICATE',
    }));
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
  if (p.workflow_started_at === null) await markWorkflowStarted(ctx.db, 'payouts', p.id, Date.now());
}

function networkOf(ctx: ServiceContext, livemode: boolean) {
  return livemode ? ctx.config.bitcoinNetwork : ctx.config.bitcoinTestNetwork;
}

/** Routing fee limit: max(percent of the amount, rounded up; the minimum), reserved with the amount. */
export function lightningFeeLimit(ctx: Pick<ServiceContext, 'config'>, sats: bigint): bigint {
  const [whole, frac = ''] = ctx.config.payouts.lightningFeeLimitPercent.split('.');
  const bp = BigInt(whole) * 100n + BigInt(frac.padEnd(2, '0').slice(0, 2));
  const byPercent = (sats * bp + 9_999n) / 10_000n;
  const min = BigInt(ctx.config.payouts.lightningFeeLimitMinSats);
  return byPercent > min ? byPercent : min;
}

/** On-chain fee reserved: live, twice the node's estimate for the output (the send refuses a dearer one); test mode, none. */
async function onchainFeeLimit(ctx: PayoutContext, scope: Scope, dest: { address: string | null; sats: bigint }): Promise<bigint> {
  if (!scope.livemode) return 0n;
  const estimate = await ctx.payoutSender!.estimateFee(dest.address!, dest.sats, ctx.config.payouts.onchainTargetConf).catch((err: Error) => {
    throw new CheckoutError('invalid_data', `The platform's on-chain wallet cannot fund this payout now: ${err.message.slice(0, 200)}`, 'withdraw_method');
  });
  return estimate.feeSats * 2n;
}

export async function getInstantSend(ctx: ServiceContext, id: string, scope: Scope) {
  const p = await findPayout(ctx.db, id, scope);
  if (!p) throw CheckoutError.notFound('instant send', id);
  return payoutView(p, networkOf(ctx, scope.livemode));
}

export async function listInstantSends(ctx: ServiceContext, scope: Scope, opts: PageOptions & { status?: string }) {
  const { rows, hasMore } = await listPayouts(ctx.db, scope, opts);
  return { data: rows.map((p) => payoutView(p, networkOf(ctx, scope.livemode))), hasMore };
}
