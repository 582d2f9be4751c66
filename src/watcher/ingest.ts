import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import type { Db } from '../db/knex';
import { findPayment, findPaymentByChainTarget, type PaymentRow } from '../db/payments';
import { insertReceipt, type ReceiptRow } from '../db/receipts';
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
}

/** What the watcher needs. */
export interface WatcherContext {
  db: Db;
  temporal: Client;
  log: Logger;
  taskQueue: string;
  monitoringMs: number;
  historyLimit?: number;
}

/**
 * The watcher's one entry point: stores the receipt durably (UNIQUE on its chain reference, so a
 * second report of the same money is a no-op) and then hands it to the session's workflow. If the
 * hand-off fails, the stored receipt is picked up again by the redelivery loop: nothing is lost.
 */
export async function ingestReceipt(ctx: WatcherContext, observed: ObservedReceipt): Promise<{ receipt: ReceiptRow; duplicate: boolean } | null> {
  const payment = observed.paymentId
    ? await findPayment(ctx.db, observed.paymentId)
    : await findPaymentByChainTarget(ctx.db, { address: observed.address, paymentHash: observed.paymentHash });
  if (!payment) {
    ctx.log.debug({ observed: { ...observed, amountSats: observed.amountSats.toString() } }, 'receipt for no known payment');
    return null;
  }
  if (observed.amountSats <= 0n) return null;
  const { row, inserted } = await insertReceipt(ctx.db, {
    id: newId('rcpt'), reference: observed.reference, payment_id: payment.id, checkout_session_id: payment.checkout_session_id,
    account_id: payment.account_id, livemode: payment.livemode, method: observed.method,
    amount_sats: observed.amountSats.toString(), created: String(Date.now()),
  });
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
