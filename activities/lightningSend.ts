import { ApplicationFailure, Context } from '@temporalio/activity';
import { LndRequestError } from '../src/bitcoin/errors';
import type { LightningSender, SentPayment } from '../src/bitcoin/simulatedSender';
import type { ActivityDeps } from './deps';
import { pauseAfterSend } from './sendPause';

/** How a Lightning payment ended, as the workflow needs it. */
export type PaymentOutcome = { status: 'succeeded'; feeSats: string } | { status: 'failed'; reason: string };

/** What one Lightning send pays: the payment hash is its idempotency key. */
export interface LightningSendRequest {
  paymentRequest: string;
  paymentHash: string;
  feeLimitSats: bigint;
  /** Only for an invoice that names no amount. */
  amountSats?: bigint;
}

/** Seconds LND may search for a route before it gives up. */
const PAY_TIMEOUT_SECONDS = 60;
/** How long one question about an in-flight hash may wait for its final state before asking again. */
const TRACK_WAIT_MS = 20_000;
/** The simulated sender's refusals (a bad invoice) and LND's, before any payment of the hash was started. */
const REFUSED_BEFORE_SENDING = /invoice expired|self-payment|not allowed|invalid payment request|unknown required feature|amount must be specified|invalid invoice/i;

/**
 * The one exactly-once Lightning send of the platform, used by payouts, withdrawal-link claims and
 * refunds. The payment hash is the key:
 *
 * 1. Ask the node about the hash first: an earlier attempt (before a worker crash, an activity timeout,
 *    a node restart) may have succeeded, failed, or still be in flight.
 * 2. Only a hash the node never saw is sent; LND itself refuses a second payment of a hash that is in
 *    flight or succeeded, and the sender then answers with the node's record of the first.
 * 3. In flight: keep asking (heartbeating) until it is final. SUCCEEDED is paid (with its routing fee),
 *    FAILED is a final failure and is never re-sent (a failed hash is the caller's to release).
 * 4. A refusal before sending (an answer from the node, or an invalid invoice) with no payment of the
 *    hash on the node is a final failure; anything that leaves the outcome unknown (a lost connection, a
 *    timeout) is thrown, and the retried activity starts again at step 1.
 *
 * `opts.pause` is the tests' crash point (activities/sendPause.ts): called once the node holds a final
 * payment, before the caller can settle.
 */
export async function sendLightningOnce(sender: LightningSender, req: LightningSendRequest, opts: { pause?: (key: string) => Promise<void> } = {}): Promise<PaymentOutcome> {
  const beat = setInterval(() => heartbeat('sending'), 5_000);
  try {
    let payment = await askNode(sender, req.paymentHash);
    if (!payment) {
      heartbeat('sending');
      try {
        payment = await sender.pay({ paymentRequest: req.paymentRequest, paymentHash: req.paymentHash, feeLimitSats: req.feeLimitSats,
          timeoutSeconds: PAY_TIMEOUT_SECONDS, amountSats: req.amountSats });
      } catch (err) {
        if (refusedBeforeSending(err) && !(await askNode(sender, req.paymentHash))) {
          return { status: 'failed', reason: ((err as Error).message ?? String(err)).slice(0, 300) };
        }
        throw err;
      }
    }
    while (!isFinal(payment)) {
      heartbeat(payment.status);
      const again = await askNode(sender, req.paymentHash);
      // Only a first question that timed out can be followed by "never started": the retry asks (and sends) afresh.
      if (!again) throw new Error(`the node has no payment of ${req.paymentHash} yet; asking again`);
      payment = again;
      if (!isFinal(payment)) await new Promise((r) => setTimeout(r, 1_000));
    }
    await opts.pause?.(req.paymentHash);
    return payment.status === 'SUCCEEDED'
      ? { status: 'succeeded', feeSats: payment.feeSats.toString() }
      : { status: 'failed', reason: payment.failureReason ?? 'FAILURE_REASON_UNKNOWN' };
  } finally {
    clearInterval(beat);
  }
}

/** The node's record of the hash (waits a while for an in-flight one to end), or null if it never started one. */
function askNode(sender: LightningSender, hash: string): Promise<SentPayment | null> {
  return sender.paymentByHash(hash, TRACK_WAIT_MS).catch((err: unknown) => {
    // The wait ran out while the payment was in flight (no answer, no status): not an answer about the hash.
    if (err instanceof LndRequestError && err.status === undefined && /abort|timeout/i.test(err.message)) {
      return { paymentHash: hash, status: 'IN_FLIGHT', feeSats: 0n, failureReason: null } satisfies SentPayment;
    }
    throw err;
  });
}

/** The node answered and refused the payment (it never started one), or the invoice is one no node accepts. */
function refusedBeforeSending(err: unknown): boolean {
  if (err instanceof LndRequestError) return err.status !== undefined || REFUSED_BEFORE_SENDING.test(err.message);
  return REFUSED_BEFORE_SENDING.test((err as Error)?.message ?? String(err)) || (err as Error)?.name === 'InvalidInvoiceError';
}

function isFinal(p: SentPayment): boolean {
  return p.status === 'SUCCEEDED' || p.status === 'FAILED';
}

/** Heartbeats when running as an activity (a direct call in a test has no activity context). */
function heartbeat(details: string): void {
  try {
    Context.current().heartbeat(details);
  } catch { /* not in an activity */ }
}

/** The sender of a mode: the simulated one in test mode, LND's sending side in live mode. */
export function lightningSenderOf(deps: ActivityDeps, livemode: boolean): LightningSender {
  const sender = livemode ? (deps.lightningSenders?.live ?? deps.payoutSender) : deps.lightningSenders?.test;
  if (!sender) {
    throw ApplicationFailure.nonRetryable(`No Lightning sender in ${livemode ? 'live' : 'test'} mode (LND_PAYOUT_MACAROON_PATH)`, 'NoLightningSender');
  }
  return sender;
}

/** The activity withdrawal links and refunds send with (payouts call {@link sendLightningOnce} from their own). */
export function lightningSendActivities(deps: ActivityDeps) {
  async function sendLightningPayment(input: { livemode: boolean; paymentRequest: string; paymentHash: string; feeLimitSats: string }): Promise<PaymentOutcome> {
    return sendLightningOnce(lightningSenderOf(deps, input.livemode),
      { paymentRequest: input.paymentRequest, paymentHash: input.paymentHash, feeLimitSats: BigInt(input.feeLimitSats) }, { pause: pauseAfterSend(deps) });
  }
  return { sendLightningPayment };
}
