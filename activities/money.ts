import { ApplicationFailure } from '@temporalio/activity';
import { PLATFORM_ACCOUNT_ID } from '../src/db/accounts';
import { recordEventForDispatch } from '../src/db/events';
import { recordDebt, recoverDebts, type DebtKind } from '../src/db/debts';
import { BalanceOverflowError, EXTERNAL_ACCOUNT_ID, LedgerImbalanceError, NegativeBalanceError, postLedgerTransaction, type Custody } from '../src/db/ledger';
import { findPayment } from '../src/db/payments';
import { T } from '../src/db/tables';
import { creditStoredReceipt, ReceiptMismatchError, ReceiptNotStoredError } from '../src/db/receipts';
import { findSplitTerms } from '../src/db/sessions';
import { findTransfer, insertTransfer, isDebtTransfer, lockTransfer, markTransferFailed, markTransferPaid } from '../src/db/transfers';
import type { DbOrTx } from '../src/db/knex';
import { incrementCounter } from '../src/db/metricCounters';
import { idFromSeed } from '../src/domain/ids';
import type { EventIntent, ReceiptFlag, ReceiptInput, SessionState } from '../src/domain/session';
import { splitReceipt } from '../src/domain/split';
import { transferView } from '../src/views/transfer';
import type { ActivityDeps } from './deps';
import { activityLog } from './log';
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
      // The stored row is the truth: a receipt of another session, or facts that differ from it, credit nothing.
      const credited = await creditStoredReceipt(tx, { id: receipt.receiptId, sessionId: state.id, paymentId: receipt.paymentId, sats: receipt.sats,
        reference: receipt.reference }, input.flag, now).catch((err: unknown) => {
        if (err instanceof ReceiptNotStoredError) throw ApplicationFailure.nonRetryable(err.message, 'ReceiptNotFound');
        if (err instanceof ReceiptMismatchError) throw ApplicationFailure.nonRetryable(err.message, 'ReceiptMismatch');
        throw err;
      });
      if (credited === 'credited') {
        // Counted with the row it counts: a retry that finds the receipt credited adds nothing.
        const labels = { method: receipt.method, livemode: state.livemode };
        await incrementCounter(tx, 'checkout_receipts_credited_total', labels);
        await incrementCounter(tx, 'checkout_receipts_credited_sats_total', labels, receipt.sats);
      }
      const eventIds = await writeStateAndEvents(tx, state, input.events, publicUrl, now);
      const transfers = await postReceiptSplit(tx, state, receipt, now, eventIds).catch((err: unknown) => {
        // Retrying cannot help a balance out of range: refused, and the session is flagged for an operator.
        if (err instanceof BalanceOverflowError) throw ApplicationFailure.nonRetryable(err.message, 'BalanceOverflow');
        throw err;
      });
      return { transfers, eventIds };
    });
    return { transferIds: result.transfers };
  }

  /**
   * Posts one receipt's split where its sats are (docs/custody.md). Platform-held (Lightning, or an
   * on-chain address of the platform node's wallet): the gross to the merchant, the fees out of it, the
   * transfers as pending rows the workflow executes. Settled into the merchant's own wallet (an address of
   * its xpub): the gross is recorded in the merchant-wallet column, and the fees and transfers become the
   * merchant's debts, recovered at once from its platform-held money as far as that goes (never from
   * anyone else's); those transfers are paid by the recovery, not by the workflow.
   */
  async function postReceiptSplit(tx: DbOrTx, state: SessionState, receipt: ReceiptInput, now: number, eventIds: string[]): Promise<string[]> {
    const terms = await findSplitTerms(tx, state.id);
    if (!terms) throw ApplicationFailure.nonRetryable(`No session ${state.id} to split a receipt of`, 'SessionNotFound');
    const planned = ((terms.definition as { transfers?: SessionTransfer[] }).transfers ?? []);
    const split = splitReceipt({
      gross: BigInt(receipt.sats), platformFeePercent: deps.platformFeePercent,
      affiliatePercent: terms.affiliate_account_id ? terms.affiliate_percentage : null,
      transferPercents: planned.map((t) => String(t.percentage)),
    });
    const custody = await receiptCustody(tx, receipt, state.livemode, terms.onchain_settlement);
    const ownWallet = custody === 'merchant_wallet';
    const base = { livemode: state.livemode, receiptId: receipt.receiptId, sessionId: state.id, now, custody };
    await postLedgerTransaction(tx, { ...base, key: `${receipt.receiptId}:payment`, type: 'payment', description: `Payment ${receipt.paymentId}`,
      entries: [{ accountId: EXTERNAL_ACCOUNT_ID, amount: -split.gross }, { accountId: state.accountId, amount: split.gross }] });
    const debt = (kind: DebtKind, creditor: string, amount: bigint, position: number, transferId: string | null = null) => recordDebt(tx, {
      key: `${receipt.receiptId}:${kind}${transferId ? `:${transferId}` : ''}`, debtor_account_id: state.accountId, creditor_account_id: creditor,
      livemode: state.livemode, kind, receipt_id: receipt.receiptId, transfer_id: transferId, checkout_session_id: state.id,
      position, amount: amount.toString(), created: String(now) });
    if (split.platformFee > 0n) {
      if (ownWallet) await debt('platform_fee', PLATFORM_ACCOUNT_ID, split.platformFee, 0);
      else await postLedgerTransaction(tx, { ...base, key: `${receipt.receiptId}:platform_fee`, type: 'platform_fee', description: 'Platform fee',
        entries: [{ accountId: state.accountId, amount: -split.platformFee }, { accountId: PLATFORM_ACCOUNT_ID, amount: split.platformFee }] });
    }
    if (split.affiliateFee > 0n && terms.affiliate_account_id) {
      if (ownWallet) await debt('affiliate_fee', terms.affiliate_account_id, split.affiliateFee, 1);
      else await postLedgerTransaction(tx, { ...base, key: `${receipt.receiptId}:affiliate_fee`, type: 'affiliate_fee', description: 'Affiliate fee',
        entries: [{ accountId: state.accountId, amount: -split.affiliateFee }, { accountId: terms.affiliate_account_id, amount: split.affiliateFee }] });
    }
    const pending: string[] = [];
    for (const [index, plan] of planned.entries()) {
      // A share that rounds down to 0 sats moves nothing: no transfer row, no empty ledger movement.
      if (split.transfers[index] === 0n) continue;
      const key = `${receipt.paymentId}:${receipt.receiptId}:${index}`;
      const { row } = await insertTransfer(tx, {
        id: idFromSeed('tr', key), key, receipt_id: receipt.receiptId, checkout_session_id: state.id,
        source_account_id: state.accountId, destination_account_id: plan.destination_account, livemode: state.livemode,
        index, amount: split.transfers[index].toString(), percentage: String(plan.percentage),
        description: plan.description ?? null, status: 'pending', created: String(now), modified: String(now),
      });
      // Recorded on every attempt (deduped by key): a retry finds the same event, never a second one.
      const eventId = await recordEventForDispatch(tx, { dedupeKey: `${row.id}:created`, accountId: state.accountId, livemode: state.livemode,
        type: 'transfer.created', objectId: row.id, data: { object: transferView(row) }, created: now });
      if (eventId) eventIds.push(eventId);
      if (ownWallet) await debt('transfer', plan.destination_account, split.transfers[index], 2 + index, row.id);
      else if (row.status !== 'paid') pending.push(row.id);
    }
    // New platform-held money (or new debts) of the merchant: recover what it owes, oldest first.
    await recoverAndRecord(tx, state.accountId, state.livemode, now, eventIds);
    return pending;
  }

  /** Runs `recoverDebts` for the account and records `transfer.paid` for each transfer it paid in full. */
  async function recoverAndRecord(tx: DbOrTx, accountId: string, livemode: boolean, now: number, eventIds: string[]): Promise<void> {
    for (const { transferId } of await recoverDebts(tx, accountId, livemode, now)) {
      if (!transferId) continue;
      await markTransferPaid(tx, transferId, now);
      const t = (await findTransfer(tx, transferId))!;
      const id = await recordEventForDispatch(tx, { dedupeKey: `${t.id}:paid`, accountId: t.source_account_id, livemode: t.livemode,
        type: 'transfer.paid', objectId: t.id, data: { object: transferView(t) }, created: now });
      if (id) eventIds.push(id);
    }
  }

  /**
   * Executes one transfer of a session exactly once: locks it, posts it to the ledger unless paid, marks
   * it paid. A refusal (the source balance would go negative) marks it `failed` with the reason and is
   * not retried here: the session's workflow retries it later and flags the session for an operator.
   * Takes `{ sessionId, transferId }` (a bare ID from workflows scheduled before writes were scoped).
   */
  async function executeTransfer(input: string | { sessionId: string; transferId: string }): Promise<void> {
    const { transferId, sessionId } = typeof input === 'string' ? { transferId: input, sessionId: undefined } : input;
    try {
      await postTransfer(transferId, sessionId);
    } catch (err) {
      const refused = isLedgerRefusal(err);
      // Best effort in its own transaction (the failed one rolled back); an outage leaves it pending and the workflow flags it.
      await markTransferFailed(db, transferId, `${refused ? 'refused by the ledger' : 'could not be posted'}: ${(err as Error).message}`, Date.now())
        .catch((markErr) => activityLog(deps.log).warn({ err: markErr, transferId }, 'could not mark the transfer failed'));
      if (refused) throw ApplicationFailure.nonRetryable(`Transfer ${transferId} refused: ${(err as Error).message}`, 'TransferRefused');
      throw err;
    }
  }

  async function postTransfer(transferId: string, sessionId: string | undefined): Promise<void> {
    const now = Date.now();
    await db.transaction(async (tx) => {
      const t = await lockTransfer(tx, transferId, sessionId);
      if (!t) throw ApplicationFailure.nonRetryable(`No transfer ${transferId}${sessionId ? ` of session ${sessionId}` : ''}`, 'TransferNotFound');
      if (t.status === 'paid') return [];
      // A transfer of an own-wallet receipt is a debt: only its recovery pays it (from platform-held money).
      if (await isDebtTransfer(tx, t.id)) return [];
      // The share is where its receipt's sats are (a platform-held receipt's: its rail).
      const receipt = await tx(T.receipts).first('method').where({ id: t.receipt_id });
      const custody: Custody = receipt?.method === 'lightning' ? 'platform_channels' : receipt ? 'platform_wallet' : 'platform';
      await postLedgerTransaction(tx, { key: `transfer:${t.id}`, type: 'transfer', livemode: t.livemode, transferId: t.id, custody,
        receiptId: t.receipt_id, sessionId: t.checkout_session_id, description: t.description ?? undefined, now,
        entries: [{ accountId: t.source_account_id, amount: -BigInt(t.amount) }, { accountId: t.destination_account_id, amount: BigInt(t.amount) }] });
      await markTransferPaid(tx, t.id, now);
      const id = await recordEventForDispatch(tx, { dedupeKey: `${t.id}:paid`, accountId: t.source_account_id, livemode: t.livemode,
        type: 'transfer.paid', objectId: t.id, data: { object: transferView({ ...t, status: 'paid', modified: String(now) }) }, created: now });
      const ids = id ? [id] : [];
      // The recipient's new platform-held money recovers what it owes, if anything.
      await recoverAndRecord(tx, t.destination_account_id, t.livemode, now, ids);
      return ids;
    });
  }

  return { creditReceipt, executeTransfer };
}

/**
 * Where a receipt's sats are: Lightning in the platform node's channels; on-chain in live mode by where
 * the address came from (the node's wallet has no derivation index, an xpub address has one); test
 * mode's simulated on-chain money follows the account's setting, so it behaves as live mode would.
 */
async function receiptCustody(tx: DbOrTx, receipt: ReceiptInput, livemode: boolean, setting: 'platform' | 'merchant_wallet'): Promise<Custody> {
  if (receipt.method === 'lightning') return 'platform_channels';
  if (!livemode) return setting === 'merchant_wallet' ? 'merchant_wallet' : 'platform_wallet';
  const payment = await findPayment(tx, receipt.paymentId);
  return payment?.address_index === null || payment?.address_index === undefined ? 'platform_wallet' : 'merchant_wallet';
}

/** The ledger refused the movement (a balance would go negative, or it does not balance): retrying cannot help. */
function isLedgerRefusal(err: unknown): boolean {
  if (err instanceof NegativeBalanceError || err instanceof LedgerImbalanceError || err instanceof BalanceOverflowError) return true;
  // A CHECK constraint on a balance column reports the same refusal as PostgreSQL's check_violation.
  return (err as { code?: string } | null)?.code === '23514';
}
