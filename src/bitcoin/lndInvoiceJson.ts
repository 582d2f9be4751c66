import { base64, hex } from '@scure/base';
import { LndRequestError } from './errors';
import type { SettledInvoice } from './lightning';

/** The fields of an LND `lnrpc.Invoice` (REST JSON) that we read. int64 fields arrive as strings. */
export interface LndInvoiceJson {
  r_hash?: string;
  payment_request?: string;
  state?: string;
  settled?: boolean;
  amt_paid_sat?: string;
  amt_paid_msat?: string;
  settle_index?: string;
}

/** A 32-byte hash that LND's JSON gateway sent as base64 (standard or URL-safe) → lowercase hex. */
export function base64HashToHex(value: unknown, field: string): string {
  if (typeof value !== 'string') throw new LndRequestError(`LND sent no ${field}`);
  let bytes: Uint8Array;
  try {
    bytes = base64.decode(value.replace(/-/g, '+').replace(/_/g, '/'));
  } catch {
    throw new LndRequestError(`LND sent a ${field} that is not base64`);
  }
  if (bytes.length !== 32) throw new LndRequestError(`LND sent a ${field} of ${bytes.length} bytes, expected 32`);
  return hex.encode(bytes);
}

/**
 * One line of `GET /v1/invoices/subscribe`: `{"result": invoice}` or `{"error": {...}}`.
 * Returns the invoice; throws `LndRequestError` for errors and garbage.
 */
export function parseSubscriptionLine(line: string): LndInvoiceJson {
  let message: { result?: unknown; error?: { message?: unknown; code?: unknown } };
  try {
    message = JSON.parse(line) as typeof message;
  } catch {
    throw new LndRequestError(`invoice subscription sent a line that is not JSON: ${line.slice(0, 80)}`);
  }
  if (message && typeof message === 'object' && message.error) {
    throw new LndRequestError(`invoice subscription error: ${String(message.error.message ?? JSON.stringify(message.error))}`);
  }
  if (!message || typeof message.result !== 'object' || message.result === null) {
    throw new LndRequestError('invoice subscription sent a message without "result"');
  }
  return message.result as LndInvoiceJson;
}

/** True for an invoice update that reports the invoice as paid. */
export function isSettled(invoice: LndInvoiceJson): boolean {
  return invoice.state === 'SETTLED' || invoice.settled === true;
}

/** The payment hash and amount received of a settled invoice. */
export function toSettledInvoice(invoice: LndInvoiceJson): SettledInvoice {
  const paymentHash = base64HashToHex(invoice.r_hash, 'r_hash');
  if (typeof invoice.amt_paid_sat === 'string' && /^\d+$/.test(invoice.amt_paid_sat)) {
    return { paymentHash, amountSats: BigInt(invoice.amt_paid_sat), settleIndex: settleIndexOf(invoice) };
  }
  // Older gateways may omit amt_paid_sat; the msat figure floored to whole sats is what arrived.
  if (typeof invoice.amt_paid_msat === 'string' && /^\d+$/.test(invoice.amt_paid_msat)) {
    return { paymentHash, amountSats: BigInt(invoice.amt_paid_msat) / 1000n, settleIndex: settleIndexOf(invoice) };
  }
  throw new LndRequestError(`settled invoice ${paymentHash} carries no amt_paid_sat`);
}

/** The invoice's settle_index as a bigint, or null when absent/zero. */
export function settleIndexOf(invoice: LndInvoiceJson): bigint | null {
  if (typeof invoice.settle_index !== 'string' || !/^\d+$/.test(invoice.settle_index)) return null;
  const index = BigInt(invoice.settle_index);
  return index > 0n ? index : null;
}
