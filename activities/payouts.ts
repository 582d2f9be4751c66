import { ApplicationFailure, Context } from '@temporalio/activity';
import bolt11 from 'bolt11';
import { Transaction } from '@scure/btc-signer';
import { hexToBytes } from '@noble/hashes/utils.js';
import type { LndSender } from '../src/bitcoin/lndSender';
import { recordEventForDispatch } from '../src/db/events';
import { findPayout, markPayoutFailed, markPayoutPaid, recordPayoutTransaction, type PayoutRow } from '../src/db/payouts';
import { payoutView } from '../src/views/payout';
import type { ActivityDeps } from './deps';
import { sendLightningOnce } from './lightningSend';
import { pauseAfterSend } from './sendPause';

/** What a send ended in, as recorded in the workflow's history (sats as strings). */
export type SendOutcome = { outcome: 'paid'; feeSats: string } | { outcome: 'failed'; reason: string };

/**
 * The payout saga's activities. `sendPayout` is the only one that touches the node; it is keyed so a
 * retry (after a worker crash, a timeout, an LND restart) finds the first attempt instead of paying again:
 *
 * - Lightning: the payment hash, through the platform's one Lightning send (`sendLightningOnce`, shared with
 *   withdrawal links and refunds): the node is asked about the hash first; only a hash it never saw is
 *   sent, and a hash it reports FAILED is a failed payout (never re-sent). Test mode sends with the
 *   simulated sender (an invoice whose description has `[unroutable]` fails, as in refunds).
 * - On-chain: the transaction is built and signed, its txid, raw bytes and fee recorded on the payout
 *   row, and only then broadcast; a retry re-broadcasts the recorded transaction (a no-op once it is known).
 *
 * `settlePayout` / `failPayout` move the payout out of `unpaid` exactly once (src/db/payouts.ts), with the
 * reservation settled or released in the same transaction and the event recorded there too.
 */
export function payoutActivities(deps: ActivityDeps) {
  const { db } = deps;

  async function sendPayout(input: { payoutId: string }): Promise<SendOutcome> {
    const p = await findPayout(db, input.payoutId);
    if (!p) throw ApplicationFailure.nonRetryable(`No payout ${input.payoutId}`, 'PayoutNotFound');
    if (p.status === 'paid') return { outcome: 'paid', feeSats: p.fee ?? '0' };
    if (p.status === 'failed') return { outcome: 'failed', reason: p.failure_reason ?? 'failed' };
    if (p.withdraw_method === 'lightning') return sendLightning(p);
    // Test mode on-chain: a simulated send against test balances (docs/payouts.md): paid at once, no network fee.
    if (!p.livemode) return { outcome: 'paid', feeSats: '0' };
    const sender = deps.payoutSender;
    if (!sender) throw ApplicationFailure.nonRetryable('Live payouts need LND_PAYOUT_MACAROON_PATH', 'PayoutsUnavailable');
    const beat = setInterval(() => { try { Context.current().heartbeat(); } catch { /* not in an activity */ } }, 5_000);
    try {
      return await sendOnchain(sender, p);
    } finally {
      clearInterval(beat);
    }
  }

  /** The platform's one exactly-once Lightning send (activities/lightningSend.ts), keyed by the invoice's hash. */
  async function sendLightning(p: PayoutRow): Promise<SendOutcome> {
    const sender = p.livemode ? deps.payoutSender : deps.lightningSenders?.test;
    if (!sender) throw ApplicationFailure.nonRetryable(`${p.livemode ? 'Live' : 'Test'} payouts need a Lightning sender (LND_PAYOUT_MACAROON_PATH)`, 'PayoutsUnavailable');
    const sent = await sendLightningOnce(sender, { paymentRequest: p.payment_request!, paymentHash: p.payment_hash!, feeLimitSats: BigInt(p.fee_limit),
      amountSats: zeroAmountInvoice(p) ? BigInt(p.target_amount) : undefined }, { pause: pauseAfterSend(deps) });
    return sent.status === 'succeeded' ? { outcome: 'paid', feeSats: sent.feeSats } : { outcome: 'failed', reason: sent.reason };
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
    await pauseAfterSend(deps)?.(row.txid!);
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
    await db.transaction(async (tx) => {
      const { row } = await change(tx, now);
      // Recorded on every attempt (deduped by key): a retry after a lost commit acknowledgement finds it, never a second one.
      const eventId = await recordEventForDispatch(tx, { dedupeKey: `${id}:${action}`, accountId: row.account_id, livemode: row.livemode,
        type: `instant_send.${action}`, objectId: id, data: { object: payoutView(row, row.livemode ? deps.networks.live : deps.networks.test) }, created: now });
      return eventId ? [eventId] : [];
    });
  }

  return { sendPayout, settlePayout, failPayout };
}

/** The invoice named no amount (the payout's amount is then sent with it). */
function zeroAmountInvoice(p: PayoutRow): boolean {
  const { millisatoshis } = bolt11.decode(p.payment_request!);
  return millisatoshis === undefined || millisatoshis === null;
}
