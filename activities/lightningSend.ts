import { ApplicationFailure, heartbeat } from '@temporalio/activity';
import type { LightningSender, SentPayment } from '../src/bitcoin/simulatedSender';
import type { ActivityDeps } from './deps';

/** How a Lightning payment ended, as the workflow needs it. */
export type PaymentOutcome = { status: 'succeeded'; feeSats: string } | { status: 'failed'; reason: string };

const PAY_TIMEOUT_SECONDS = 60;
const REFUSED_BEFORE_SENDING = /invoice expired|self-payment|not allowed|invalid payment request|unknown required feature|amount must be specified/i;

/**
 * Sends one Lightning payment exactly once, keyed by its payment hash: the node is asked about the hash
 * first, so a retry after a worker crash, an activity timeout or a node restart finds the first attempt
 * (succeeded, failed, or still in flight: then it waits and asks again) instead of paying twice. Only a
 * hash the node never saw is sent, and LND itself refuses a second payment of a hash that succeeded or
 * is in flight. An error that leaves the outcome unknown is thrown (the activity retries and asks again).
 */
export function lightningSendActivities(deps: ActivityDeps) {
  async function sendLightningPayment(input: { livemode: boolean; paymentRequest: string; paymentHash: string; feeLimitSats: string }): Promise<PaymentOutcome> {
    const sender: LightningSender | undefined = input.livemode ? deps.lightningSenders?.live : deps.lightningSenders?.test;
    if (!sender) {
      throw ApplicationFailure.nonRetryable(`No Lightning sender in ${input.livemode ? 'live' : 'test'} mode (LND_PAYOUT_MACAROON_PATH)`, 'NoLightningSender');
    }
    let payment = await sender.paymentByHash(input.paymentHash);
    if (!payment) {
      heartbeat('sending');
      try {
        payment = await sender.pay({
          paymentRequest: input.paymentRequest, paymentHash: input.paymentHash, feeLimitSats: BigInt(input.feeLimitSats), timeoutSeconds: PAY_TIMEOUT_SECONDS,
        });
      } catch (err) {
        // The node refused the invoice before trying it (expired meanwhile, a self-payment, a feature it
        // lacks) and never started a payment: that is a final failure, not something a retry can fix.
        const message = (err as Error).message ?? String(err);
        if (REFUSED_BEFORE_SENDING.test(message) && !(await sender.paymentByHash(input.paymentHash))) return { status: 'failed', reason: message.slice(0, 300) };
        throw err;
      }
    }
    while (!isFinal(payment)) {
      heartbeat(payment.status);
      await new Promise((r) => setTimeout(r, 1_000));
      payment = (await sender.paymentByHash(input.paymentHash)) ?? payment;
    }
    return payment.status === 'SUCCEEDED'
      ? { status: 'succeeded', feeSats: payment.feeSats.toString() }
      : { status: 'failed', reason: payment.failureReason ?? 'FAILURE_REASON_UNKNOWN' };
  }
  return { sendLightningPayment };
}

function isFinal(p: SentPayment): boolean {
  return p.status === 'SUCCEEDED' || p.status === 'FAILED';
}
