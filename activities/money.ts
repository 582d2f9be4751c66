import { ApplicationFailure } from '@temporalio/activity';
import { findAccount, PLATFORM_ACCOUNT_ID } from '../src/db/accounts';
import { recordEvent } from '../src/db/events';
import { EXTERNAL_ACCOUNT_ID, postLedgerTransaction } from '../src/db/ledger';
import { findReceipt, markReceiptCredited } from '../src/db/receipts';
import { findSession } from '../src/db/sessions';
import { insertTransfer, lockTransfer, markTransferPaid } from '../src/db/transfers';
import type { DbOrTx } from '../src/db/knex';
import { idFromSeed } from '../src/domain/ids';
import type { EventIntent, ReceiptFlag, ReceiptInput, SessionState } from '../src/domain/session';
import { splitReceipt } from '../src/domain/split';
import { transferView } from '../src/views/transfer';
import type { ActivityDeps } from './deps';
import { writeStateAndEvents } from './readModel';

interface SessionTransfer { destination_account: string; percentage: number; description?: string | null }

/** Activities that move money: crediting receipts (with fees) and the ordered split transfers. */
export function moneyActivities(deps: ActivityDeps) {
  const { db, publicUrl } = deps;

  /**
   * Credits one receipt in one DB transaction: marks it credited (with its flag), mirrors the session
   * state and events, posts the gross to the merchant and the fees out of it, and creates the
   * session's transfers as pending rows. Every step is keyed, so a retry changes nothing twice.
   * Returns the transfers still to execute, in array order.
   */
  async function creditReceipt(input: { state: SessionState; receipt: ReceiptInput; flag: ReceiptFlag; events: EventIntent[] }): Promise<{ transferIds: string[] }> {
    const now = Date.now();
    const { state, receipt } = input;
    const result = await db.transaction(async (tx) => {
      const stored = await findReceipt(tx, receipt.receiptId);
      if (!stored) throw ApplicationFailure.nonRetryable(`No receipt ${receipt.receiptId}`, 'ReceiptNotFound');
      await markReceiptCredited(tx, stored.id, input.flag, now);
      const eventIds = await writeStateAndEvents(tx, state, input.events, publicUrl, now);
      const transfers = await postReceiptSplit(tx, state, receipt, now, eventIds);
      return { transfers, eventIds };
    });
    await deps.onEventsRecorded?.(result.eventIds);
    return { transferIds: result.transfers };
  }

  async function postReceiptSplit(tx: DbOrTx, state: SessionState, receipt: ReceiptInput, now: number, eventIds: string[]): Promise<string[]> {
    const session = (await findSession(tx, state.id))!;
    const account = (await findAccount(tx, state.accountId))!;
    const planned = ((session.definition as { transfers?: SessionTransfer[] }).transfers ?? []);
    const split = splitReceipt({
      gross: BigInt(receipt.sats), platformFeePercent: deps.platformFeePercent,
      affiliatePercent: account.affiliate_account_id ? account.affiliate_percentage : null,
      transferPercents: planned.map((t) => String(t.percentage)),
    });
    const base = { livemode: state.livemode, receiptId: receipt.receiptId, sessionId: state.id, now };
    await postLedgerTransaction(tx, { ...base, key: `${receipt.receiptId}:payment`, type: 'payment', description: `Payment ${receipt.paymentId}`,
      entries: [{ accountId: EXTERNAL_ACCOUNT_ID, amount: -split.gross }, { accountId: state.accountId, amount: split.gross }] });
    if (split.platformFee > 0n) {
      await postLedgerTransaction(tx, { ...base, key: `${receipt.receiptId}:platform_fee`, type: 'platform_fee', description: 'Platform fee',
        entries: [{ accountId: state.accountId, amount: -split.platformFee }, { accountId: PLATFORM_ACCOUNT_ID, amount: split.platformFee }] });
    }
    if (split.affiliateFee > 0n && account.affiliate_account_id) {
      await postLedgerTransaction(tx, { ...base, key: `${receipt.receiptId}:affiliate_fee`, type: 'affiliate_fee', description: 'Affiliate fee',
        entries: [{ accountId: state.accountId, amount: -split.affiliateFee }, { accountId: account.affiliate_account_id, amount: split.affiliateFee }] });
    }
    const pending: string[] = [];
    for (const [index, plan] of planned.entries()) {
      const key = `${receipt.paymentId}:${receipt.receiptId}:${index}`;
      const { row } = await insertTransfer(tx, {
        id: idFromSeed('tr', key), key, receipt_id: receipt.receiptId, checkout_session_id: state.id,
        source_account_id: state.accountId, destination_account_id: plan.destination_account, livemode: state.livemode,
        index, amount: split.transfers[index].toString(), percentage: String(plan.percentage),
        description: plan.description ?? null, status: 'pending', created: String(now), modified: String(now),
      });
      // Recorded on every attempt (deduped by key) so a retry re-dispatches the same event ID.
      eventIds.push(await recordEvent(tx, { dedupeKey: `${row.id}:created`, accountId: state.accountId, livemode: state.livemode,
        type: 'transfer.created', objectId: row.id, data: { object: transferView(row) }, created: now }));
      if (row.status !== 'paid') pending.push(row.id);
    }
    return pending;
  }

  /** Executes one transfer exactly once: locks it, posts it to the ledger if still pending, marks it paid. */
  async function executeTransfer(transferId: string): Promise<void> {
    const now = Date.now();
    const eventIds = await db.transaction(async (tx) => {
      const t = await lockTransfer(tx, transferId);
      if (!t) throw ApplicationFailure.nonRetryable(`No transfer ${transferId}`, 'TransferNotFound');
      if (t.status === 'paid') return [];
      await postLedgerTransaction(tx, { key: `transfer:${t.id}`, type: 'transfer', livemode: t.livemode, transferId: t.id,
        receiptId: t.receipt_id, sessionId: t.checkout_session_id, description: t.description ?? undefined, now,
        entries: [{ accountId: t.source_account_id, amount: -BigInt(t.amount) }, { accountId: t.destination_account_id, amount: BigInt(t.amount) }] });
      await markTransferPaid(tx, t.id, now);
      const id = await recordEvent(tx, { dedupeKey: `${t.id}:paid`, accountId: t.source_account_id, livemode: t.livemode,
        type: 'transfer.paid', objectId: t.id, data: { object: transferView({ ...t, status: 'paid', modified: String(now) }) }, created: now });
      return [id];
    });
    await deps.onEventsRecorded?.(eventIds);
  }

  return { creditReceipt, executeTransfer };
}
