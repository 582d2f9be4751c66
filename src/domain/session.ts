/** Shapes of a checkout session's state as the workflow holds it (payload-safe: strings, no bigint). */
import type { AmountChoice } from './amountChoice';

export type SessionStatus = 'active' | 'paid' | 'deactivated';
export type PaymentStatus = 'unpaid' | 'paid' | 'expired' | 'cancelled';
export type ExceptionStatus = null | 'underpaid' | 'overpaid' | 'paid_late';
export type ReceiptFlag = null | 'overpaid' | 'late';
export type PaymentMethod = 'lightning' | 'onchain';

/** One money request of a session (`pi_…`). Amounts: base currency decimal strings, SATS integer strings. */
export interface PaymentState {
  id: string;
  seq: number;
  amount: string;
  exchangeRate: string;
  targetAmount: string;
  status: PaymentStatus;
  expiresAt: number;
  receivedSats: string;
  amountPaid: string;
}

/** The session as the workflow decides on it; the read model in PostgreSQL mirrors it. */
export interface SessionState {
  id: string;
  accountId: string;
  livemode: boolean;
  currency: string;
  /** Null for `options`/`preset` sessions until the customer picks an amount. */
  amount: string | null;
  tolerancePercent: string;
  ttlSeconds: number;
  status: SessionStatus;
  exceptionStatus: ExceptionStatus;
  amountPaid: string;
  receivedSats: string;
  /** Payments still relevant: the current one, and those with funds or inside the monitoring window. */
  payments: PaymentState[];
  currentPaymentId: string | null;
  /** Sequence number the next payment gets (payments are unique per session and seq). */
  nextPaymentSeq: number;
  /** Chain references already counted: the receipt dedupe set, carried across continue-as-new. */
  seenReceipts: string[];
  /** How the amount may be chosen (absent in states kept before the rule was: then only its format is checked). */
  amountChoice?: AmountChoice;
  /** When the session left `active` (start of the monitoring window), epoch ms. */
  settledAt: number | null;
  version: number;
}

/** Money arriving for one payment, as the watcher delivers it. */
export interface ReceiptInput {
  receiptId: string;
  reference: string;
  paymentId: string;
  method: PaymentMethod;
  sats: string;
  /** The payment's locked terms, so receipts for payments the state has pruned still convert right. */
  payment: Pick<PaymentState, 'id' | 'seq' | 'amount' | 'exchangeRate' | 'targetAmount' | 'expiresAt'>
    /** What the stored payment already received (read from the database), so a pruned payment resumes from it. */
    & Partial<Pick<PaymentState, 'receivedSats' | 'amountPaid'>>;
}

export type SessionEventType =
  | 'checkout_session.created'
  | 'checkout_session.paid'
  | 'checkout_session.payment_paid'
  | 'checkout_session.deactivated'
  | 'payment.created'
  | 'payment.paid'
  | 'payment.expired'
  | 'payment.cancelled';

/** An event to record: its type and the object it is about. */
export interface EventIntent {
  type: SessionEventType;
  objectId: string;
}
