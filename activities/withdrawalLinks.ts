import { ApplicationFailure } from '@temporalio/activity';
import { decodeAndVerifyInvoice, InvalidInvoiceError } from '../src/bitcoin';
import { recordEventForDispatch } from '../src/db/events';
import { release } from '../src/db/funds';
import type { DbOrTx } from '../src/db/knex';
import { EXTERNAL_ACCOUNT_ID, postLedgerTransaction } from '../src/db/ledger';
import { findRefund } from '../src/db/refunds';
import { findWithdrawalLink, lockWithdrawalLink, updateWithdrawalLink, type WithdrawalLinkRow } from '../src/db/withdrawalLinks';
import { claimProblem } from '../src/domain/withdrawalClaim';
import type { ClaimResult, WithdrawClaim } from '../src/temporal/withdrawalDefinitions';
import { withdrawalLinkView } from '../src/views/withdrawalLink';
import type { ActivityDeps } from './deps';

async function sessionOfRefund(tx: DbOrTx, refundId: string): Promise<string | undefined> {
  return (await findRefund(tx, refundId))?.checkout_session_id;
}

/** What the workflow needs to send a claimed link's payment (read from the row, never from a message). */
export interface ClaimedLink {
  linkId: string;
  livemode: boolean;
  paymentRequest: string;
  paymentHash: string;
  amountSats: string;
  feeLimitSats: string;
}

/**
 * The withdrawal link's database steps. Each locks the link's row and acts only from the status it
 * expects, in one transaction with the ledger, the reservation and the event, so a retried activity
 * changes nothing twice and the link, its reserve and its events never disagree.
 */
export function withdrawalLinkActivities(deps: ActivityDeps) {
  const { db, publicUrl } = deps;

  async function inLink<T>(linkId: string, fn: (tx: DbOrTx, row: WithdrawalLinkRow, events: string[]) => Promise<T>): Promise<T> {
    const events: string[] = [];
    const result = await db.transaction(async (tx) => {
      const row = await lockWithdrawalLink(tx, linkId);
      if (!row) throw ApplicationFailure.nonRetryable(`No withdrawal link ${linkId}`, 'WithdrawalLinkNotFound');
      return fn(tx, row, events);
    });
    return result;
  }

  async function event(tx: DbOrTx, row: WithdrawalLinkRow, action: string, now: number, events: string[]): Promise<void> {
    const id = await recordEventForDispatch(tx, {
      dedupeKey: `${row.id}:${action}${action === 'payment_failed' || action === 'claimed' ? `:${row.payment_hash ?? ''}` : ''}`,
      accountId: row.account_id, livemode: row.livemode, type: `withdrawal_link.${action}`, objectId: row.id,
      data: { object: withdrawalLinkView(row, publicUrl) }, created: now,
    });
    if (id) events.push(id);
  }

  /**
   * Takes a wallet's claim: the `k1` must be the link's, the invoice valid (signature, the mode's
   * network, exactly the link's amount, not expiring within the send) and the link active. A claim of
   * the same invoice again (a retried update) answers ok without a change; anything else is refused
   * with the reason the wallet is shown (LUD-03 ERROR).
   */
  async function claimWithdrawalLink(input: { linkId: string } & WithdrawClaim): Promise<ClaimResult> {
    return inLink(input.linkId, async (tx, row, events) => {
      if (input.k1 !== row.k1) return { ok: false, reason: 'Unknown k1 for this withdrawal link' };
      if (row.status === 'processing' && row.payment_request === input.paymentRequest) return { ok: true };
      const network = row.livemode ? deps.networks.live : deps.networks.test;
      let invoice;
      try {
        invoice = decodeAndVerifyInvoice(input.paymentRequest, undefined, network);
      } catch (err) {
        if (err instanceof InvalidInvoiceError) return { ok: false, reason: `Invalid invoice for ${network}: ${err.message}` };
        throw err;
      }
      const now = Date.now();
      const problem = claimProblem({ status: row.status, targetSats: BigInt(row.target_amount), expiresAt: row.expires_at === null ? null : Number(row.expires_at) },
        invoice, now, ownNodeKeys(row.livemode));
      if (problem) return { ok: false, reason: problem };
      const claimed = await updateWithdrawalLink(tx, row.id, {
        status: 'processing', payment_request: input.paymentRequest, payment_hash: invoice.paymentHash, failure_reason: null,
      }, now);
      await event(tx, claimed, 'claimed', now, events);
      return { ok: true };
    });
  }

  /** The claim being paid, from the row (the workflow sends exactly this). */
  async function claimedWithdrawalLink(input: { linkId: string }): Promise<ClaimedLink | null> {
    return inLink(input.linkId, async (_tx, row) => (row.status !== 'processing' || !row.payment_request || !row.payment_hash ? null : {
      linkId: row.id, livemode: row.livemode, paymentRequest: row.payment_request, paymentHash: row.payment_hash,
      amountSats: row.target_amount, feeLimitSats: row.fee_limit,
    }));
  }

  /**
   * The send succeeded: the amount and the actual routing fee leave the account (Lightning, the
   * platform's channels) and the whole reservation (amount + fee limit) is released, in one transaction
   * keyed by the payment hash. Only from `processing`: a retry after commit changes nothing.
   */
  async function settleWithdrawalLink(input: { linkId: string; paymentHash: string; feeSats: string }): Promise<{ status: string }> {
    return inLink(input.linkId, async (tx, row, events) => {
      if (row.status !== 'processing' || row.payment_hash !== input.paymentHash) return { status: row.status };
      const now = Date.now();
      const amount = BigInt(row.target_amount);
      const fee = BigInt(input.feeSats);
      const base = { livemode: row.livemode, custody: 'platform_channels' as const, now };
      // A link paying a refund posts a refund (the money goes back to the customer), any other a payout.
      const refund = row.refund_id !== null;
      await postLedgerTransaction(tx, { ...base, key: `${row.id}:${input.paymentHash}:withdrawal`, type: refund ? 'refund' : 'payout',
        description: refund ? `Refund ${row.refund_id} (withdrawal link ${row.id})` : `Withdrawal link ${row.id}`, sessionId: refund ? await sessionOfRefund(tx, row.refund_id!) : undefined,
        entries: [{ accountId: row.account_id, amount: -amount }, { accountId: EXTERNAL_ACCOUNT_ID, amount }] });
      if (fee > 0n) {
        await postLedgerTransaction(tx, { ...base, key: `${row.id}:${input.paymentHash}:withdrawal_fee`, type: refund ? 'refund_fee' : 'payout_fee', description: `Routing fee of withdrawal link ${row.id}`,
          entries: [{ accountId: row.account_id, amount: -fee }, { accountId: EXTERNAL_ACCOUNT_ID, amount: fee }] });
      }
      // Released after the posting, in the same transaction: `reserved <= balance` holds at every step.
      await release(tx, row.account_id, row.livemode, amount + BigInt(row.fee_limit));
      const paid = await updateWithdrawalLink(tx, row.id, { status: 'paid', fee: fee.toString(), paid_at: String(now) }, now);
      await event(tx, paid, 'paid', now, events);
      return { status: 'paid' };
    });
  }

  /**
   * The send failed for good (no route, the invoice expired in flight): nothing left the account, the
   * reservation stays, and the link is active again so the customer can claim it with another invoice.
   */
  async function reopenWithdrawalLink(input: { linkId: string; paymentHash: string; reason: string }): Promise<{ status: string }> {
    return inLink(input.linkId, async (tx, row, events) => {
      if (row.status !== 'processing' || row.payment_hash !== input.paymentHash) return { status: row.status };
      const now = Date.now();
      await event(tx, { ...row, failure_reason: input.reason.slice(0, 500) }, 'payment_failed', now, events);
      await updateWithdrawalLink(tx, row.id, { status: 'active', payment_request: null, payment_hash: null, failure_reason: input.reason.slice(0, 500) }, now);
      return { status: 'active' };
    });
  }

  /** Expires or deactivates an active link: its reservation is released. Only from `active`. */
  async function closeWithdrawalLink(input: { linkId: string; status: 'expired' | 'deactivated' }): Promise<{ status: string }> {
    return inLink(input.linkId, async (tx, row, events) => {
      if (row.status !== 'active') return { status: row.status };
      const now = Date.now();
      await release(tx, row.account_id, row.livemode, BigInt(row.target_amount) + BigInt(row.fee_limit));
      const closed = await updateWithdrawalLink(tx, row.id, { status: input.status }, now);
      await event(tx, closed, input.status, now, events);
      return { status: input.status };
    });
  }

  /** The refund a link pays, if it was made for one. */
  async function refundOfWithdrawalLink(input: { linkId: string }): Promise<string | null> {
    return (await findWithdrawalLink(db, input.linkId))?.refund_id ?? null;
  }

  /** The nodes whose own invoices a link refuses (a self-payment would move nothing): the test node's key. */
  function ownNodeKeys(livemode: boolean): string[] {
    const node = livemode ? deps.lightning.live : deps.lightning.test;
    const key = (node as { publicKey?: unknown } | undefined)?.publicKey;
    return typeof key === 'string' ? [key] : [];
  }

  return { refundOfWithdrawalLink, claimWithdrawalLink, claimedWithdrawalLink, settleWithdrawalLink, reopenWithdrawalLink, closeWithdrawalLink };
}
