import { ApplicationFailure, Context } from '@temporalio/activity';
import bolt11 from 'bolt11';
import { Transaction } from '@scure/btc-signer';
import { hexToBytes } from '@noble/hashes/utils.js';
import { LndRequestError } from '../src/bitcoin/errors';
import type { LightningPayment, LndSender } from '../src/bitcoin/lndSender';
import { recordEventForDispatch } from '../src/db/events';
import { findPayout, markPayoutFailed, markPayoutPaid, recordPayoutTransaction, type PayoutRow } from '../src/db/payouts';
import { payoutView } from '../src/views/payout';
import type { ActivityDeps } from './deps';
import { dispatchBestEffort } from './dispatch';

/** What a send ended in, as recorded in the workflow's history (sats as strings). */
export type SendOutcome = { outcome: 'paid'; feeSats: string } | { outcome: 'failed'; reason: string };

/** Seconds LND may search for a route before it gives up on a payout. */
const PATHFINDING_SECONDS = 60;

/**
 * The payout saga's activities. `sendPayout` is the only one that touches the node; it is keyed so a
 * retry (after a worker crash, a timeout, an LND restart) finds the first attempt instead of paying again:
 *
 * - Lightning: the payment hash. The node is asked about the hash first (`/v2/router/track`); only a hash
 *   it never saw is sent (`/v2/router/send`), and LND itself refuses a second payment of a hash in flight
 *   or paid. A hash the node reports FAILED is a failed payout (never re-sent).
 * - On-chain: the transaction is built and signed, its txid, raw bytes and fee recorded on the payout
 *   row, and only then broadcast; a retry re-broadcasts the recorded transaction (a no-op once it is known).
 *
 * `settlePayout` / `failPayout` move the payout out of `unpaid` exactly once (src/db/payouts.ts), with the
 * reservation settled or released in the same transaction and the event recorded there too.
 */
export function payoutActivities(deps: ActivityDeps) {
  const { db } = deps;
  const dispatch = dispatchBestEffort(deps);

  async function sendPayout(input: { payoutId: string }): Promise<SendOutcome> {
    const p = await findPayout(db, input.payoutId);
    if (!p) throw ApplicationFailure.nonRetryable(`No payout ${input.payoutId}`, 'PayoutNotFound');
    if (p.status === 'paid') return { outcome: 'paid', feeSats: p.fee ?? '0' };
    if (p.status === 'failed') return { outcome: 'failed', reason: p.failure_reason ?? 'failed' };
    // Test mode: a simulated send against test balances (docs/payouts.md): paid at once, no network fee.
    if (!p.livemode) return { outcome: 'paid', feeSats: '0' };
    const sender = deps.payoutSender;
    if (!sender) throw ApplicationFailure.nonRetryable('Live payouts need LND_PAYOUT_MACAROON_PATH', 'PayoutsUnavailable');
    const beat = setInterval(() => Context.current().heartbeat(), 5_000);
    try {
      return p.withdraw_method === 'lightning' ? await sendLightning(sender, p) : await sendOnchain(sender, p);
    } finally {
      clearInterval(beat);
    }
  }

  async function sendLightning(sender: LndSender, p: PayoutRow): Promise<SendOutcome> {
    const hash = p.payment_hash!;
    // Ask before sending: an earlier attempt may have paid, be paying, or have failed.
    let payment: LightningPayment | null = await sender.paymentByHash(hash, (PATHFINDING_SECONDS + 30) * 1000);
    if (!payment) {
      try {
        payment = await sender.pay({ paymentRequest: p.payment_request!, paymentHash: hash, feeLimitSats: BigInt(p.fee_limit),
          timeoutSeconds: PATHFINDING_SECONDS, amountSats: zeroAmountInvoice(p) ? BigInt(p.target_amount) : undefined });
      } catch (err) {
        // LND answered and refused (expired, self-payment, …) and holds no payment of the hash: a failed payout.
        if (err instanceof LndRequestError && err.status !== undefined && !(await sender.paymentByHash(hash, 5_000))) {
          return { outcome: 'failed', reason: err.message.slice(0, 300) };
        }
        throw err;
      }
    }
    if (payment.status === 'SUCCEEDED') return { outcome: 'paid', feeSats: payment.feeSats.toString() };
    if (payment.status === 'FAILED') return { outcome: 'failed', reason: payment.failureReason ?? 'FAILURE_REASON_UNKNOWN' };
    throw new Error(`payment ${hash} still ${payment.status}; tracking it again`); // retried: asks the node again
  }

  async function sendOnchain(sender: LndSender, p: PayoutRow): Promise<SendOutcome> {
    let row = p;
    if (!row.txid) {
      const { satPerVbyte } = await sender.estimateFee(p.onchain_address!, BigInt(p.target_amount), deps.payoutOnchainTargetConf ?? 6);
      const built = await sender.buildTransaction(p.onchain_address!, BigInt(p.target_amount), satPerVbyte);
      if (built.feeSats > BigInt(p.fee_limit)) return { outcome: 'failed', reason: `network fee ${built.feeSats} sats exceeds the ${p.fee_limit} reserved` };
      const txid = Transaction.fromRaw(hexToBytes(built.rawTxHex), { allowUnknownOutputs: true }).id;
      // Recorded before the broadcast: a crash after it re-broadcasts this very transaction, never a second one.
      await recordPayoutTransaction(db, p.id, { txid, rawTx: built.rawTxHex, fee: built.feeSats }, Date.now());
      row = (await findPayout(db, p.id))!;
    }
    await sender.publishTransaction(row.raw_tx!, `payout ${row.id}`);
    return { outcome: 'paid', feeSats: row.fee ?? '0' };
  }

  async function settlePayout(input: { payoutId: string; feeSats: string }): Promise<void> {
    await finish(input.payoutId, (tx, now) => markPayoutPaid(tx, input.payoutId, BigInt(input.feeSats), now), 'paid');
  }

  async function failPayout(input: { payoutId: string; reason: string }): Promise<void> {
    await finish(input.payoutId, (tx, now) => markPayoutFailed(tx, input.payoutId, input.reason, now), 'failed');
  }

  async function finish(id: string, change: (tx: Parameters<Parameters<typeof db.transaction>[0]>[0], now: number) => Promise<{ row: PayoutRow; changed: boolean }>,
    action: 'paid' | 'failed'): Promise<void> {
    const now = Date.now();
    const eventIds = await db.transaction(async (tx) => {
      const { row } = await change(tx, now);
      // Recorded on every attempt (deduped by key) so a retry after a lost commit acknowledgement still dispatches it.
      const eventId = await recordEventForDispatch(tx, { dedupeKey: `${id}:${action}`, accountId: row.account_id, livemode: row.livemode,
        type: `instant_send.${action}`, objectId: id, data: { object: payoutView(row, row.livemode ? deps.networks.live : deps.networks.test) }, created: now });
      return eventId ? [eventId] : [];
    });
    await dispatch(eventIds);
  }

  return { sendPayout, settlePayout, failPayout };
}

/** The invoice named no amount (the payout's amount is then sent with it). */
function zeroAmountInvoice(p: PayoutRow): boolean {
  const { millisatoshis } = bolt11.decode(p.payment_request!);
  return millisatoshis === undefined || millisatoshis === null;
}
