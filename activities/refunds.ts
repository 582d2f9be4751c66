import { ApplicationFailure } from '@temporalio/activity';
import { recordEventForDispatch } from '../src/db/events';
import { release } from '../src/db/funds';
import type { DbOrTx } from '../src/db/knex';
import { incrementCounter } from '../src/db/metricCounters';
import { EXTERNAL_ACCOUNT_ID, postLedgerTransaction } from '../src/db/ledger';
import { lockRefund, moveSessionRefunded, updateRefund, type RefundRow } from '../src/db/refunds';
import { findWithdrawalLink } from '../src/db/withdrawalLinks';
import type { LinkOutcome } from '../src/temporal/withdrawalDefinitions';
import { refundView } from '../src/views/refund';
import { refreshSessionView } from '../src/views/storedSessionView';
import type { ActivityDeps } from './deps';

/** The statuses a refund ends in (each counted once, when reached). */
const FINAL_REFUND_STATUSES = new Set<string>(['succeeded', 'failed', 'canceled']);

/** What a refund's workflow does next, read from its row. */
export type RefundStep =
  | { kind: 'done'; status: string }
  | { kind: 'send'; livemode: boolean; paymentRequest: string; paymentHash: string; feeLimitSats: string }
  | { kind: 'await_link'; linkId: string; linkStatus: string };

/**
 * A refund's database steps. Each locks the refund's row and acts only from `pending`, in one
 * transaction with the ledger, the reservation, the session's refund totals and the event: a retried
 * activity changes nothing twice. Statuses move only here, called by the refund's workflow.
 */
export function refundActivities(deps: ActivityDeps) {
  const { db, publicUrl } = deps;

  async function inRefund<T>(refundId: string, fn: (tx: DbOrTx, row: RefundRow, events: string[]) => Promise<T>): Promise<T> {
    const events: string[] = [];
    const result = await db.transaction(async (tx) => {
      const row = await lockRefund(tx, refundId);
      if (!row) throw ApplicationFailure.nonRetryable(`No refund ${refundId}`, 'RefundNotFound');
      return fn(tx, row, events);
    });
    return result;
  }

  async function finish(tx: DbOrTx, row: RefundRow, change: Parameters<typeof updateRefund>[2], now: number, events: string[]): Promise<{ status: string }> {
    const done = await updateRefund(tx, row.id, change, now);
    // `row` is the locked row before the change: a final status is counted once, when it is reached.
    if (done.status !== row.status && FINAL_REFUND_STATUSES.has(done.status)) {
      await incrementCounter(tx, 'checkout_refunds_total', { outcome: done.status, livemode: row.livemode });
    }
    // A failed or canceled refund takes nothing: the session's refund totals give its amount back.
    if (done.status === 'failed' || done.status === 'canceled') {
      await moveSessionRefunded(tx, row.checkout_session_id, row.amount, BigInt(row.target_amount), -1);
      await refreshSessionView(tx, row.checkout_session_id);
    }
    const id = await recordEventForDispatch(tx, {
      dedupeKey: `${row.id}:${done.status}`, accountId: row.account_id, livemode: row.livemode, type: `refund.${done.status}`, objectId: row.id,
      data: { object: refundView(done, publicUrl) }, created: now,
    });
    if (id) events.push(id);
    return { status: done.status };
  }

  async function nextRefundStep(input: { refundId: string }): Promise<RefundStep> {
    return inRefund(input.refundId, async (tx, row) => {
      if (row.status !== 'pending') return { kind: 'done', status: row.status };
      if (row.withdraw_method === 'lightning') {
        return { kind: 'send', livemode: row.livemode, paymentRequest: row.withdraw_request!, paymentHash: row.payment_hash!, feeLimitSats: row.fee_limit! };
      }
      const link = row.withdrawal_link_id ? await findWithdrawalLink(tx, row.withdrawal_link_id) : undefined;
      if (!link) throw ApplicationFailure.nonRetryable(`Refund ${row.id} has no withdrawal link`, 'RefundLinkMissing');
      return { kind: 'await_link', linkId: link.id, linkStatus: link.status };
    });
  }

  /** The invoice was paid: the refund and its routing fee leave the merchant's balance; the reserve is released. */
  async function settleRefund(input: { refundId: string; paymentHash: string; feeSats: string }): Promise<{ status: string }> {
    return inRefund(input.refundId, async (tx, row, events) => {
      if (row.status !== 'pending' || row.payment_hash !== input.paymentHash) return { status: row.status };
      const now = Date.now();
      const amount = BigInt(row.target_amount);
      const fee = BigInt(input.feeSats);
      const base = { livemode: row.livemode, sessionId: row.checkout_session_id, custody: 'platform_channels' as const, now };
      await postLedgerTransaction(tx, { ...base, key: `${row.id}:refund`, type: 'refund', description: `Refund ${row.id}`,
        entries: [{ accountId: row.account_id, amount: -amount }, { accountId: EXTERNAL_ACCOUNT_ID, amount }] });
      if (fee > 0n) {
        await postLedgerTransaction(tx, { ...base, key: `${row.id}:refund_fee`, type: 'refund_fee', description: `Routing fee of refund ${row.id}`,
          entries: [{ accountId: row.account_id, amount: -fee }, { accountId: EXTERNAL_ACCOUNT_ID, amount: fee }] });
      }
      await release(tx, row.account_id, row.livemode, amount + BigInt(row.fee_limit ?? 0));
      return finish(tx, row, { status: 'succeeded', fee: fee.toString() }, now, events);
    });
  }

  /** The invoice could not be paid: nothing left the account; the reserve is released and the refund failed. */
  async function failRefund(input: { refundId: string; paymentHash: string; reason: string }): Promise<{ status: string }> {
    return inRefund(input.refundId, async (tx, row, events) => {
      if (row.status !== 'pending' || row.payment_hash !== input.paymentHash) return { status: row.status };
      await release(tx, row.account_id, row.livemode, BigInt(row.target_amount) + BigInt(row.fee_limit ?? 0));
      return finish(tx, row, { status: 'failed', failure_reason: input.reason.slice(0, 500) }, Date.now(), events);
    });
  }

  /** How the refund's withdrawal link ended: paid → succeeded (its send posted the money); expired or deactivated → canceled. */
  async function finishLinkRefund(input: { refundId: string; outcome: LinkOutcome }): Promise<{ status: string }> {
    return inRefund(input.refundId, async (tx, row, events) => {
      if (row.status !== 'pending' || row.withdrawal_link_id !== input.outcome.linkId) return { status: row.status };
      // The message only names the link: its row says how it ended.
      const link = await findWithdrawalLink(tx, input.outcome.linkId);
      if (!link || !['paid', 'expired', 'deactivated'].includes(link.status)) return { status: row.status };
      const now = Date.now();
      if (link.status === 'paid') return finish(tx, row, { status: 'succeeded', fee: link.fee }, now, events);
      return finish(tx, row, { status: 'canceled', failure_reason: `The withdrawal link ${link.status === 'expired' ? 'expired' : 'was deactivated'} unclaimed` }, now, events);
    });
  }

  return { nextRefundStep, settleRefund, failRefund, finishLinkRefund };
}
