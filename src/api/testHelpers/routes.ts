import { jsonNumber } from '../../domain/money';
import { createHash, randomBytes } from 'node:crypto';
import { Router } from 'express';
import { z } from 'zod';
import { findPayment } from '../../db/payments';
import type { ServiceContext } from '../../services/context';
import { watcherContext } from '../../watcher/context';
import { ingestReceipt } from '../../watcher/ingest';
import { scopeOf } from '../auth';
import { ApiError, NotFoundError } from '../errors';
import { bodyObject, parseOr400 } from '../validate';
import { limiter } from '../../page/rateLimits';
import { idParam } from '../inputRules';

/** Body of the simulator's `POST /test-helpers/payments/{id}/receive`. */
export const receiveSchema = z.object({
  amount: z.number().int().positive().max(2_100_000_000_000_000)
    .describe('sats; at most 10 times the payment\'s amount (1 sat for a payment without one: an options or preset session before the choice), else a 400 naming amount'),
  method: z.enum(['onchain', 'lightning']).default('onchain'),
  reference: z.string().min(1).max(200).optional(),
}).strict();

/** A simulated receipt may be up to this many times its payment's amount (an overpayment), never above 21 M BTC. */
export const SIMULATOR_OVERPAY_FACTOR = 10n;
const MAX_SATS = 2_100_000_000_000_000n;
const simulatorCap = (target: bigint) => {
  const cap = (target > 0n ? target : 1n) * SIMULATOR_OVERPAY_FACTOR;
  return cap < MAX_SATS ? cap : MAX_SATS;
};

/**
 * `/test-helpers`: the test-mode payment simulator (SPEC §5). It feeds the payment watcher exactly as
 * a chain or Lightning event would: same storage, same dedupe, same hand-off to the workflow. Its
 * references are stored as `sim:<account>:<reference>` under their own source, so simulated money can
 * never occupy a real payment hash or `txid:vout`, in either mode.
 */
export function testHelperRoutes(ctx: ServiceContext): Router {
  const router = Router();
  router.param('id', idParam('pi', 'payment'));
  // Per payment: each simulated receipt is a workflow signal and, if partial, a new payment.
  const perPayment = limiter('simulator', ctx.config.rateLimits.simulatorPerPaymentPerMinute, (req) => `payment:${String(req.params.id)}`);
  router.post('/payments/:id/receive', perPayment, async (req, res) => {
    const scope = scopeOf(req);
    if (scope.livemode) throw new ApiError(403, 'The payment simulator works with test keys only.', undefined, 'permission_error');
    const input = parseOr400(receiveSchema, bodyObject(req.body));
    const id = String(req.params.id);
    const payment = await findPayment(ctx.db, id, scope);
    if (!payment) throw new NotFoundError('payment', id);
    // Overpayments are simulated too, within a bound: balances, fees and transfers grow with the amount.
    const cap = simulatorCap(BigInt(payment.target_amount));
    if (BigInt(input.amount) > cap) {
      throw new ApiError(400, `The simulator receives at most ${SIMULATOR_OVERPAY_FACTOR} times the payment's amount (${cap} sats).`, 'amount');
    }
    // Without a reference, one is derived from the idempotency seed: a retried call is the same money.
    const reference = input.reference ?? (input.method === 'lightning'
      ? randomHex(req.idempotencySeed) : `${randomHex(req.idempotencySeed)}:0`);
    const result = await ingestReceipt(watcherContext(ctx), {
      paymentId: payment.id, reference, method: input.method, amountSats: BigInt(input.amount), simulated: true,
    });
    // Simulated references live in the account's own `sim:` namespace, so a known one is always the
    // caller's; one already used for another of its payments is refused rather than shown.
    if (!result || result.conflict) throw new ApiError(409, 'This reference was already used for another payment.', 'reference');
    const receipt = result.receipt;
    res.json({
      id: receipt.id, object: 'receipt', payment: receipt.payment_id, checkout_session: receipt.checkout_session_id,
      reference: receipt.reference, method: receipt.method, amount: jsonNumber(receipt.amount_sats), duplicate: result.duplicate,
      created: Number(receipt.created),
    });
  });
  return router;
}

function randomHex(seed?: string): string {
  return seed ? createHash('sha256').update(seed).digest('hex') : randomBytes(32).toString('hex');
}
