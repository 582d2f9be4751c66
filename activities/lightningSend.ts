import { ApplicationFailure, heartbeat } from '@temporalio/activity';
import type { ActivityDeps } from './deps';

/** How a Lightning payment ended, as the node reports it. */
export type PaymentOutcome = { status: 'succeeded'; feeSats: string } | { status: 'failed'; reason: string };

/** A node that can pay invoices and be asked about a payment by its hash. */
export interface LightningPayer {
  /** The payment with this hash: `in_flight` while it routes, null when the node never tried it. */
  lookupPayment(paymentHash: string): Promise<PaymentOutcome | { status: 'in_flight' } | null>;
  /** Pays `paymentRequest` with at most `feeLimitSats` of routing fees; waits for the final outcome. */
  payInvoice(req: { paymentRequest: string; feeLimitSats: bigint; timeoutSeconds: number }): Promise<PaymentOutcome>;
}

function isPayer(node: unknown): node is LightningPayer {
  return typeof (node as LightningPayer | undefined)?.payInvoice === 'function' && typeof (node as LightningPayer).lookupPayment === 'function';
}

/**
 * Sends one Lightning payment exactly once, keyed by its payment hash: the node is asked about the hash
 * first, so a retry after a worker crash, a timeout or a node restart finds the first attempt (paid,
 * failed, or still in flight: then it waits) instead of paying twice. Only a hash the node never saw
 * is sent. LND itself also refuses a second payment of a hash that succeeded or is in flight.
 */
export function lightningSendActivities(deps: ActivityDeps) {
  async function sendLightningPayment(input: { livemode: boolean; paymentRequest: string; paymentHash: string; feeLimitSats: string }): Promise<PaymentOutcome> {
    const node = input.livemode ? deps.lightning.live : deps.lightning.test;
    if (!isPayer(node)) throw ApplicationFailure.nonRetryable(`No Lightning node that can send in ${input.livemode ? 'live' : 'test'} mode`, 'NoLightningSender');
    for (;;) {
      const known = await node.lookupPayment(input.paymentHash);
      if (known && known.status !== 'in_flight') return known;
      if (!known) break;
      heartbeat('in flight');
      await new Promise((r) => setTimeout(r, 1_000));
    }
    heartbeat('sending');
    return node.payInvoice({ paymentRequest: input.paymentRequest, feeLimitSats: BigInt(input.feeLimitSats), timeoutSeconds: 60 });
  }
  return { sendLightningPayment };
}
