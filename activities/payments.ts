import { ApplicationFailure } from '@temporalio/activity';
import { deriveReceiveAddress } from '../src/bitcoin';
import { MAX_MEMO_BYTES, MAX_SATS } from '../src/domain/limits';
import { allocateAddress, findAccount } from '../src/db/accounts';
import { claimAddress } from '../src/db/addressOwners';
import { findPaymentBySeq, insertPayment, unfundedAddressOfSession, type PaymentRow } from '../src/db/payments';
import { findSession } from '../src/db/sessions';
import { newId } from '../src/domain/ids';
import type { PaymentState } from '../src/domain/session';
import { currentExchangeRate, toTargetSats } from '../src/rates';
import type { ActivityDeps } from './deps';
import { paymentState } from '../src/db/sessionState';

/** What making a payment needs to know of its session (from its row, or from its definition at creation). */
export interface PaymentSubject {
  id: string;
  accountId: string;
  livemode: boolean;
  currency: string;
  fields: { ttl: number; payment_methods: string[]; statement_descriptor?: string | null; title?: string | null };
}

/**
 * The row of payment number `seq` of a session for `amount` (base currency) at a fresh exchange rate,
 * with a BOLT11 invoice and a never-used on-chain address, not yet stored. Calls the rate source and
 * LND, so it runs outside any transaction; the invoice is keyed, so a retry finds the one made before.
 */
export async function preparePayment(deps: ActivityDeps, session: PaymentSubject, seq: number, amount: string): Promise<PaymentRow> {
  const { db } = deps;
  const { fields } = session;
  const mode = session.livemode ? 'live' : 'test';
  const exchangeRate = await currentExchangeRate(deps.rates[mode], session.currency);
  const targetAmount = toTargetSats(amount, exchangeRate);
  // Bounded at create (fiat with a margin), yet a price can fall further: a payment no one can pay is
  // refused for good (the session is flagged for an operator), not retried.
  if (targetAmount > MAX_SATS_BIGINT) {
    throw ApplicationFailure.nonRetryable(`The payment would be ${targetAmount} sats, more than 21 million BTC.`, 'AmountTooLarge');
  }
  const now = Date.now();
  const expiresAt = now + fields.ttl * 1000;

  let invoice: { paymentRequest: string; paymentHash: string } | null = null;
  if (fields.payment_methods.includes('lightning') && targetAmount > 0n) {
    const node = deps.lightning[mode];
    if (!node) throw ApplicationFailure.nonRetryable('Lightning is not configured for live mode (LND_REST_URL).', 'LightningUnavailable');
    // The invoice never expires before the payment does (SPEC §5).
    // The key makes a retried attempt (after a timeout) find the invoice the first one made on LND
    // instead of leaving a second one; it includes the amount because a fiat retry may see a new rate.
    invoice = await node.createInvoice({
      amountSats: targetAmount, memo: invoiceMemo(fields.statement_descriptor || fields.title || `Checkout ${session.id}`), expirySeconds: fields.ttl,
      idempotencyKey: `${session.id}:${seq}:${targetAmount}`,
    });
  }
  let address: string | null = null;
  let addressIndex: number | null = null;
  if (fields.payment_methods.includes('onchain')) {
    const noXpub = () => ApplicationFailure.nonRetryable('The account has no xpub for live on-chain payments.', 'NoXpub');
    // A renewal keeps the session's last address while nothing arrived on it (no address burnt per TTL, no
    // wallet gap-limit trap); once money arrived there, the next payment gets a fresh index. A session's
    // first payment has no earlier one to look at.
    const reusable = seq > FIRST_PAYMENT_SEQ ? await unfundedAddressOfSession(db, session.id, seq) : null;
    const platformWallet = session.livemode && !reusable && (await findAccount(db, session.accountId))?.onchain_settlement === 'platform';
    if (platformWallet) {
      // Platform custody (docs/custody.md): an address of the platform node's wallet, no derivation index,
      // owned by this session like any other (a fresh node address is never owned: a failed claim retries).
      const node = deps.lightning.live;
      if (!node?.newAddress) throw ApplicationFailure.nonRetryable('On-chain payments to the platform wallet need LND (LND_REST_URL).', 'NoPlatformWallet');
      address = await node.newAddress();
      if (!(await claimAddress(db, { address, account_id: session.accountId, livemode: true, checkout_session_id: session.id }, Date.now()))) {
        throw new Error(`the node handed out ${address}, which another session owns`);
      }
    // (Only a session that shared its address with another before addresses had owners can fail the claim.)
    } else if (reusable && await claimAddress(db, {
      address: reusable.address, account_id: session.accountId, livemode: session.livemode, checkout_session_id: session.id,
    }, Date.now())) {
      // The account must still have its xpub (an operator who removed it wants no more on-chain payments).
      const account = await findAccount(db, session.accountId);
      if (!(session.livemode ? account?.xpub_live : account?.xpub_test)) throw noXpub();
      ({ address, index: addressIndex } = reusable);
    } else {
      ({ address, index: addressIndex } = await freshAddress(deps, session, noXpub));
    }
  }
  return {
    id: newId('pi'), checkout_session_id: session.id, account_id: session.accountId, livemode: session.livemode,
    seq, currency: session.currency, amount, exchange_rate: exchangeRate,
    target_amount: targetAmount.toString(), status: 'unpaid', payment_request: invoice?.paymentRequest ?? null,
    payment_hash: invoice?.paymentHash ?? null, onchain_address: address, address_index: addressIndex,
    received_sats: '0', amount_paid: '0', expires_at: String(expiresAt), created: String(now), modified: String(now),
  };
}

// Addresses owned by other sessions skipped in a row before giving up (only accounts that shared a key
// before keys were unique can meet any).
const MAX_SKIPPED_ADDRESSES = 100;

/**
 * The account's next unused address, claimed for the session (src/db/addressOwners.ts): an address
 * belongs to one session, so one account and mode, and the watcher can credit its money to that session
 * only. An index whose address another session owns is skipped.
 */
async function freshAddress(deps: ActivityDeps, session: PaymentSubject, noXpub: () => Error): Promise<{ address: string; index: number }> {
  const mode = session.livemode ? 'live' : 'test';
  for (let skipped = 0; skipped <= MAX_SKIPPED_ADDRESSES; skipped++) {
    const allocated = await allocateAddress(deps.db, session.accountId, session.livemode);
    if (!allocated) throw noXpub();
    const address = deriveReceiveAddress(allocated.xpub, allocated.index, deps.networks[mode]);
    const owner = { address, account_id: session.accountId, livemode: session.livemode, checkout_session_id: session.id };
    if (await claimAddress(deps.db, owner, Date.now())) return { address, index: allocated.index };
  }
  throw ApplicationFailure.nonRetryable(`The account's next ${MAX_SKIPPED_ADDRESSES} addresses belong to other sessions (an xpub shared with another account).`, 'AddressesTaken');
}

const MAX_SATS_BIGINT = BigInt(MAX_SATS.toFixed());

/**
 * The Lightning memo within BOLT11's limit, cut at a character boundary. The API holds titles and
 * descriptors to the limit; this guard keeps a row written before that rule (or by another path) payable.
 */
export function invoiceMemo(text: string): string {
  if (Buffer.byteLength(text, 'utf8') <= MAX_MEMO_BYTES) return text;
  let out = '';
  let bytes = 0;
  for (const ch of text) {
    const size = Buffer.byteLength(ch, 'utf8');
    if (bytes + size > MAX_MEMO_BYTES) break;
    out += ch;
    bytes += size;
  }
  return out;
}

/** A session's payments are numbered from 1 (`initialState`'s `nextPaymentSeq`). */
const FIRST_PAYMENT_SEQ = 1;

/** The "internal call to the payment API": makes a session's payment with its invoice and address. */
export function paymentActivities(deps: ActivityDeps) {
  const { db } = deps;

  /**
   * Makes payment number `seq` of a session for `amount` (base currency). Idempotent: a retry returns
   * the payment the first attempt stored for (session, seq).
   */
  async function openPayment(input: { sessionId: string; seq: number; amount: string }): Promise<PaymentState> {
    const existing = await findPaymentBySeq(db, input.sessionId, input.seq);
    if (existing) return paymentState(existing);
    const session = await findSession(db, input.sessionId);
    if (!session) throw ApplicationFailure.nonRetryable(`No checkout session ${input.sessionId}`, 'SessionNotFound');
    const subject: PaymentSubject = {
      id: session.id, accountId: session.account_id, livemode: session.livemode, currency: session.currency,
      fields: session.definition as PaymentSubject['fields'],
    };
    return paymentState(await insertPayment(db, await preparePayment(deps, subject, input.seq, input.amount)));
  }

  return { openPayment };
}
