import { decodeAndVerifyInvoice } from './invoice';
import type { BitcoinNetwork } from './network';

/** A Lightning payment as a node reports it (the fields money depends on); LND's shape. */
export interface SentPayment {
  paymentHash: string;
  status: 'IN_FLIGHT' | 'SUCCEEDED' | 'FAILED' | 'INITIATED' | 'UNKNOWN';
  feeSats: bigint;
  failureReason: string | null;
}

/** What sends a Lightning payment out of the platform: pays an invoice, and says what became of a hash. */
export interface LightningSender {
  /** `amountSats` only for an invoice that names no amount. */
  pay(req: { paymentRequest: string; paymentHash: string; feeLimitSats: bigint; timeoutSeconds: number; amountSats?: bigint }): Promise<SentPayment>;
  /** The node's record of the hash, or null if it never started a payment of it; may wait up to `waitMs` for an in-flight one. */
  paymentByHash(paymentHash: string, waitMs?: number): Promise<SentPayment | null>;
}

/** What an invoice's description contains for test mode's sender to fail paying it (no route). */
export const UNROUTABLE_MARKER = '[unroutable]';

/**
 * Test mode's sender: no bitcoin moves, as with test-mode receipts. Any valid invoice of the test network
 * "succeeds" at once with no routing fee; one whose description contains `UNROUTABLE_MARKER` fails with
 * LND's FAILURE_REASON_NO_ROUTE, so the failure path can be exercised. Payments are remembered by
 * hash for the life of the process (a second pay of the same hash answers the first outcome).
 */
export class SimulatedSender implements LightningSender {
  private readonly payments = new Map<string, SentPayment>();

  constructor(private readonly network: BitcoinNetwork) {}

  async pay(req: { paymentRequest: string; paymentHash: string }): Promise<SentPayment> {
    const known = this.payments.get(req.paymentHash);
    if (known) return known;
    const invoice = decodeAndVerifyInvoice(req.paymentRequest, undefined, this.network);
    const failed = invoice.description.includes(UNROUTABLE_MARKER) || invoice.expiresAt <= Date.now();
    const payment: SentPayment = {
      paymentHash: invoice.paymentHash, status: failed ? 'FAILED' : 'SUCCEEDED', feeSats: 0n,
      failureReason: failed ? (invoice.expiresAt <= Date.now() ? 'FAILURE_REASON_TIMEOUT' : 'FAILURE_REASON_NO_ROUTE') : null,
    };
    this.payments.set(invoice.paymentHash, payment);
    return payment;
  }

  async paymentByHash(paymentHash: string): Promise<SentPayment | null> {
    return this.payments.get(paymentHash) ?? null;
  }
}
