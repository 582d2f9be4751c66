import { jsonNumber } from '../domain/money';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { ApiError, InvalidRequestError, NotFoundError } from '../api/errors';
import { parseOr400 } from '../api/validate';
import { findPayment } from '../db/payments';
import { findSession } from '../db/sessions';
import type { ServiceContext } from '../services/context';
import { watcherContext } from '../watcher/context';
import { ingestReceipt } from '../watcher/ingest';

/** The simulator was asked to pay a live-mode session: refused, real money only there. */
export class TestModeOnlyError extends ApiError {
  constructor() { super(403, 'The payment simulator works for test-mode checkout sessions only.', undefined, 'permission_error'); }
}

const simulateSchema = z.object({
  // A plain form posts strings, and an emptied amount box means "what the payment asks". Typed sats are
  // digits only: an exponent, hex or a fraction (which z.coerce's Number() would read, or round away
  // in 500.0000000000000001) is refused, naming the field. The bound keeps every amount exact.
  amount: z.preprocess((v) => (v === '' ? undefined : typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : v),
    z.number({ error: 'must be a whole number of sats' }).int().positive().max(2_100_000_000_000_000).optional()),
  method: z.enum(['onchain', 'lightning']).default('onchain'),
}).strict();

/**
 * The page's "Simulate payment" button (test mode only): money arriving for the session's current
 * payment, fed to the payment watcher exactly like `POST /test-helpers/payments/{id}/receive` does:
 * same storage, same dedupe, same hand-off to the workflow. Amount defaults to what the payment asks.
 */
export async function simulatePagePayment(ctx: ServiceContext, sessionId: string, body: unknown) {
  const session = await findSession(ctx.db, sessionId);
  if (!session) throw new NotFoundError('checkout session', sessionId);
  if (session.livemode) throw new TestModeOnlyError();
  const input = parseOr400(simulateSchema, body ?? {});
  if (session.status !== 'active') throw new InvalidRequestError(`This checkout session is ${session.status}.`);
  const payment = session.payment_id ? await findPayment(ctx.db, session.payment_id) : undefined;
  if (!payment || payment.status !== 'unpaid') throw new InvalidRequestError('This checkout session has no payment waiting right now; try again in a moment.');
  // At most what the payment asks (anonymous money needs a bound: balances and fees grow with it).
  const due = BigInt(payment.target_amount);
  if (input.amount !== undefined && BigInt(input.amount) > due) {
    throw new InvalidRequestError(`The simulator pays at most the payment's amount (${due} sats).`, 'amount');
  }
  const amount = input.amount === undefined ? due : BigInt(input.amount);
  // Every click is new money: a fresh chain reference each time.
  const hex = randomBytes(32).toString('hex');
  const result = await ingestReceipt(watcherContext(ctx), {
    paymentId: payment.id, reference: input.method === 'lightning' ? hex : `${hex}:0`, method: input.method, amountSats: amount,
    simulated: true,
  });
  return { object: 'simulated_payment', payment: payment.id, method: input.method, amount: jsonNumber(amount.toString()), receipt: result?.receipt?.id ?? null };
}
