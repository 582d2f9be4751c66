import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import type { Db } from '../db/knex';
import { findPayment, findPaymentByChainTarget, type PaymentRow } from '../db/payments';
import { insertReceipt, recordReceiptConflict, type ReceiptRow, type ReceiptSource } from '../db/receipts';
import { newId } from '../domain/ids';
import type { PaymentMethod } from '../domain/session';
import { deliverReceipt } from './deliver';

/** Money seen arriving, as any source reports it. Exactly one of the payment locators is set. */
export interface ObservedReceipt {
  paymentId?: string;
  address?: string;
  paymentHash?: string;
  reference: string;
  method: PaymentMethod;
  amountSats: bigint;
  /** Test-mode simulated money: stored under the `simulator` source, its reference `sim:<account>:…`. */
  simulated?: boolean;
}

/**
 * What ingestion did: stored a new receipt, found the same receipt already stored, or refused one whose
 * reference is already recorded for another payment (never shown to the caller: it is not theirs).
 */
export type IngestResult =
  | { receipt: ReceiptRow; duplicate: boolean; conflict?: false }
  | { receipt: null; duplicate: true; conflict: true };

/** The `sim:` namespace of simulated references: per account, so no tenant can occupy another's. */
export function simulatedReference(accountId: string, reference: string): string {
  return `sim:${accountId}:${reference}`;
}

/** What the watcher needs. */
export interface WatcherContext {
  db: Db;
  temporal: Client;
  log: Logger;
  taskQueue: string;
  monitoringMs: number;
  historyLimit?: number;
  /** First delay of a session workflow's own retry of failed work. */
  retryBaseMs?: number;
  /** How long an idle session's run stays open before it closes (a later receipt resumes it). */
  idleMs?: number;
}

/**
 * The watcher's one entry point: stores the receipt durably (UNIQUE on its chain reference, so a
 * second report of the same money is a no-op) and then hands it to the session's workflow. If the
 * hand-off fails, the stored receipt is picked up again by the redelivery loop: nothing is lost.
 */
export async function ingestReceipt(ctx: WatcherContext, observed: ObservedReceipt): Promise<IngestResult | null> {
  const payment = observed.paymentId
    ? await findPayment(ctx.db, observed.paymentId)
    : await findPaymentByChainTarget(ctx.db, { address: observed.address, paymentHash: observed.paymentHash });
  if (!payment) {
    ctx.log.debug({ observed: { ...observed, amountSats: observed.amountSats.toString() } }, 'receipt for no known payment');
    return null;
  }
  if (observed.amountSats <= 0n) return null;
  const source: ReceiptSource = observed.simulated ? 'simulator' : observed.method;
  let reference = observed.reference;
  if (observed.simulated) {
    // Simulated money never exists in live mode, and its reference cannot take a chain one's place.
    if (payment.livemode) throw new Error(`refusing simulated money for live payment ${payment.id}`);
    reference = simulatedReference(payment.account_id, observed.reference);
  }
  const { row, inserted } = await insertReceipt(ctx.db, {
    id: newId('rcpt'), reference, source, payment_id: payment.id, checkout_session_id: payment.checkout_session_id,
    account_id: payment.account_id, livemode: payment.livemode, method: observed.method,
    amount_sats: observed.amountSats.toString(), created: String(Date.now()),
  });
  if (!inserted && row.payment_id !== payment.id) {
    // The same reference cannot pay two payments: an operator must look (a reused address, a bug). The
    // sources report the same money at every poll: recorded once (receipt_conflicts), alerted once.
    const first = await recordReceiptConflict(ctx.db, reference, payment.id, row.payment_id, Date.now());
    const details = { reference, source, payment: payment.id, storedPayment: row.payment_id, receipt: row.id };
    if (first) ctx.log.error(details, 'receipt reference already recorded for another payment; not credited twice');
    else ctx.log.debug(details, 'known receipt conflict seen again');
    return { receipt: null, duplicate: true, conflict: true };
  }
  if (inserted || row.status === 'received') await deliver(ctx, row, payment);
  return { receipt: row, duplicate: !inserted };
}

async function deliver(ctx: WatcherContext, receipt: ReceiptRow, payment: PaymentRow): Promise<void> {
  try {
    await deliverReceipt(ctx.temporal, ctx, receipt, payment);
  } catch (err) {
    ctx.log.warn({ err, receipt: receipt.id, sessionId: receipt.checkout_session_id }, 'receipt stored, hand-off failed; will redeliver');
  }
}
