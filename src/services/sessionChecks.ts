import { CheckoutError } from '../domain/errors';
import type { SessionFieldsInput } from '../domain/input/sessionFields';
import { type AccountRow, findAccountWithDestinations } from '../db/accounts';
import type { Scope } from '../db/sessions';
import type { ServiceContext } from './context';
import { checkCurrencyPriced } from './rateCheck';
import { MAX_SATS } from '../domain/limits';
import { Dec } from '../domain/money';
import { exchangeRateSatsPerUnit } from '../rates';

/**
 * The session's account, once what its fields must satisfy against the database holds (SPEC §6 and
 * live mode): each transfer destination is an account connected to the session's own (transfer consent,
 * docs/transfers.md), and live mode has the means for the chosen methods (an LND node for Lightning, an
 * xpub for on-chain). The account and the destinations are read in one statement. Links check this when
 * they are made; a payment link's visits check it again for the session each opens, so a revoked
 * connection stops new sessions from a link too.
 */
export async function accountForSession(ctx: ServiceContext, scope: Scope, input: SessionFieldsInput): Promise<AccountRow> {
  const transfers = input.transfers ?? [];
  const found = await findAccountWithDestinations(ctx.db, scope.accountId, transfers.map((t) => t.destination_account));
  if (!found) throw CheckoutError.notFound('account', scope.accountId);
  const { account, destinations } = found;
  transfers.forEach((t, i) => {
    const param = `transfers[${i}].destination_account`;
    if (t.destination_account === scope.accountId) throw new CheckoutError('invalid_data', 'A transfer cannot go to your own account.', param);
    // One message for an unknown account and an unconnected one: a merchant cannot probe which IDs exist.
    if (!destinations.has(t.destination_account)) throw new CheckoutError('invalid_data', notConnected(t.destination_account), param);
  });
  const btcPrice = await checkCurrencyPriced(ctx, scope, input.currency);
  if (btcPrice !== null) checkFiatAmounts(input, btcPrice);
  if (!scope.livemode) return account;
  const methods = input.payment_methods ?? ['lightning', 'onchain'];
  if (methods.includes('lightning') && !ctx.liveLightning) {
    throw new CheckoutError('invalid_data', 'Lightning is not available in live mode: no LND node is configured (LND_REST_URL).', 'payment_methods');
  }
  if (methods.includes('onchain') && account.onchain_settlement === 'merchant_wallet' && !account.xpub_live) {
    throw new CheckoutError('invalid_data', 'On-chain payments in live mode need an account xpub.', 'payment_methods');
  }
  if (methods.includes('onchain') && account.onchain_settlement === 'platform' && !ctx.liveLightning) {
    throw new CheckoutError('invalid_data', 'On-chain payments to the platform wallet need the platform\'s LND node (LND_REST_URL).', 'payment_methods');
  }
  return account;
}

/** The refusal of a transfer destination that is not connected (or does not exist: the same words). */
export function notConnected(destination: string): string {
  return `'${destination}' is not a connected transfer destination of this account; the platform admin connects one `
    + 'with POST /accounts/{id}/transfer-destinations (docs/transfers.md).';
}

/**
 * A fiat amount may be worth at most a tenth of 21 M BTC at the current price: a session is paid at the
 * price of the day it is paid, and this margin keeps it payable through a fall of the BTC price by up to
 * 90 %. (Bitcoin-unit amounts are bounded in the schema; a payment worth more than 21 M BTC is refused,
 * visibly, when it is made.)
 */
export const FIAT_MARGIN = 10;

/** Refuses any amount (fixed, option, preset bound) whose value in sats is out of reach: a 400 naming it. */
export function checkFiatAmounts(input: SessionFieldsInput, btcPrice: string): void {
  const rate = exchangeRateSatsPerUnit(input.currency, btcPrice);
  const limit = MAX_SATS.div(FIAT_MARGIN);
  const maxUnits = limit.div(rate).toDecimalPlaces(0, Dec.ROUND_DOWN);
  const check = (value: number | undefined, param: string) => {
    if (value === undefined || new Dec(value).times(rate).lte(limit)) return;
    throw new CheckoutError('invalid_data', `${param} must be at most ${maxUnits.toFixed()} ${input.currency} (worth 2,100,000 BTC at today's price, `
      + 'a tenth of all bitcoin that will exist, so it stays payable if the price falls).', param);
  };
  const withAmount = input as SessionFieldsInput & { amount?: number };
  check(withAmount.amount, 'amount');
  (input.options ?? []).forEach((o, i) => check(o, `options[${i}]`));
  check(input.preset?.min_amount, 'preset.min_amount');
  check(input.preset?.max_amount, 'preset.max_amount');
}
