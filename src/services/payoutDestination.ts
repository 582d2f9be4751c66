import { decodeAndVerifyInvoice, InvalidInvoiceError, isValidAddress, type BitcoinNetwork } from '../bitcoin';
import { decodeLnurl, fetchInvoice, fetchPayRequest, isLightningAddress, isLnurl, lightningAddressUrl, LnurlError } from '../bitcoin/lnurl';
import { CheckoutError } from '../domain/errors';
import type { PayoutRow } from '../db/payouts';

/** On-chain outputs below this are dust: no node relays them (P2PKH's 546 sats, the highest standard limit). */
export const DUST_LIMIT_SATS = 546n;

/** A checked destination, ready to be reserved for. */
export interface Destination {
  type: PayoutRow['withdraw_type'];
  /** Sats the destination receives (an invoice's own amount when it has one). */
  sats: bigint;
  paymentRequest: string | null;
  paymentHash: string | null;
  address: string | null;
}

export interface DestinationContext {
  network: BitcoinNetwork;
  /** The platform node's identity: an invoice it signed would be a payment to itself. */
  platformNodeKey: () => Promise<string>;
  /** Whether the node (or a payout) already paid, or is paying, this hash. */
  alreadyPaid: (paymentHash: string) => Promise<boolean>;
  lnurl: { allowHttp: boolean; allowPrivateNetworks: boolean };
  now: number;
}

const param = 'withdraw_request';

/**
 * Resolves and checks a payout's destination (SPEC: bad input is a 400 naming the field, before anything
 * is reserved): a BOLT11 of the mode's network, unexpired, not already paid, not the platform's own, with
 * the request's amount (or, zero-amount, with one given); a Lightning Address or LNURL-pay resolved to
 * such an invoice (LUD-16 / LUD-06); an on-chain address of the mode's network above the dust limit.
 * `sats` is the request's amount converted at the locked rate, or null when the request named none.
 */
export async function resolveDestination(
  c: DestinationContext, method: 'lightning' | 'onchain', request: string, sats: bigint | null,
): Promise<Destination> {
  const raw = request.trim();
  if (method === 'onchain') {
    const address = raw.replace(/^bitcoin:/i, '').split('?')[0];
    if (!isValidAddress(address, c.network)) throw new CheckoutError('invalid_data', `Not a Bitcoin address of network ${c.network}.`, param);
    if (sats === null) throw new CheckoutError('invalid_data', 'An on-chain payout needs an amount.', 'amount');
    if (sats < DUST_LIMIT_SATS) throw new CheckoutError('invalid_data', `The amount is under the dust limit (${DUST_LIMIT_SATS} sats).`, 'amount');
    return { type: 'onchain_address', sats, paymentRequest: null, paymentHash: null, address };
  }
  const target = raw.replace(/^lightning:/i, '');
  if (isLightningAddress(target) || isLnurl(target)) {
    if (sats === null || sats <= 0n) throw new CheckoutError('invalid_data', 'A payout to a Lightning Address or LNURL needs an amount.', 'amount');
    let invoice: string;
    try {
      const url = isLnurl(target) ? decodeLnurl(target) : lightningAddressUrl(target, c.lnurl);
      const pay = await fetchPayRequest(url, c.lnurl);
      invoice = await fetchInvoice(pay, sats * 1000n, c.lnurl);
    } catch (err) {
      if (err instanceof LnurlError) throw new CheckoutError('invalid_data', `${isLnurl(target) ? 'LNURL' : 'Lightning Address'}: ${err.message}`, param);
      throw err;
    }
    const checked = await checkInvoice(c, invoice, sats);
    return { ...checked, type: isLnurl(target) ? 'lnurl' : 'lightning_address' };
  }
  if (/^ln/i.test(target)) return { ...(await checkInvoice(c, target, sats)), type: 'bolt11' };
  throw new CheckoutError('invalid_data', 'Not a BOLT11 invoice, Lightning Address (name@domain) or LNURL.', param);
}

async function checkInvoice(c: DestinationContext, paymentRequest: string, sats: bigint | null): Promise<Omit<Destination, 'type'>> {
  let inv;
  try {
    inv = decodeAndVerifyInvoice(paymentRequest.toLowerCase(), undefined, c.network, { anyAmount: true });
  } catch (err) {
    if (err instanceof InvalidInvoiceError) {
      // Name the network when the invoice decodes for another one: the commonest mistake.
      const other = /network|prefix|bech32/i.test(err.message) ? ` (this mode pays invoices of ${c.network})` : '';
      throw new CheckoutError('invalid_data', `Invalid invoice${other}: ${err.message}`, param);
    }
    throw err;
  }
  if (inv.expiresAt <= c.now) throw new CheckoutError('invalid_data', 'The invoice has expired.', param);
  let amount = inv.amountSats;
  if (amount === 0n) {
    if (sats === null || sats <= 0n) throw new CheckoutError('invalid_data', 'The invoice has no amount: give one.', 'amount');
    amount = sats;
  } else if (sats !== null && sats !== amount) {
    throw new CheckoutError('invalid_data', `The invoice is for ${amount} sats, the request for ${sats}.`, 'amount');
  }
  if (inv.payeeNodeKey === (await c.platformNodeKey())) throw new CheckoutError('invalid_data', 'The invoice is the platform\'s own (a payment to itself).', param);
  if (await c.alreadyPaid(inv.paymentHash)) throw new CheckoutError('invalid_data', 'The invoice is already paid (or being paid).', param);
  return { sats: amount, paymentRequest: paymentRequest.toLowerCase(), paymentHash: inv.paymentHash, address: null };
}
