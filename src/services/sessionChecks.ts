import { InvalidRequestError, NotFoundError } from '../api/errors';
import type { SessionFieldsInput } from '../api/checkoutSessions/schema';
import { type AccountRow, findAccountWithMerchants } from '../db/accounts';
import type { Scope } from '../db/sessions';
import type { ServiceContext } from './context';
import { checkCurrencyPriced } from './rateCheck';

/**
 * The session's account, once what its fields must satisfy against the database holds (SPEC §6 and
 * live mode): each transfer destination is a merchant account other than the session's own, and live
 * mode has the means for the chosen methods (an LND node for Lightning, an xpub for on-chain). The
 * account and the destinations are read in one statement. Links check this when they are made, so a
 * customer's visit never fails on it.
 */
export async function accountForSession(ctx: ServiceContext, scope: Scope, input: SessionFieldsInput): Promise<AccountRow> {
  const transfers = input.transfers ?? [];
  const found = await findAccountWithMerchants(ctx.db, scope.accountId, transfers.map((t) => t.destination_account));
  if (!found) throw new NotFoundError('account', scope.accountId);
  const { account, merchants } = found;
  transfers.forEach((t, i) => {
    const param = `transfers[${i}].destination_account`;
    if (t.destination_account === scope.accountId) throw new InvalidRequestError('A transfer cannot go to your own account.', param);
    if (!merchants.has(t.destination_account)) throw new InvalidRequestError(`No such account: '${t.destination_account}'`, param);
  });
  await checkCurrencyPriced(ctx, scope, input.currency);
  if (!scope.livemode) return account;
  const methods = input.payment_methods ?? ['lightning', 'onchain'];
  if (methods.includes('lightning') && !ctx.liveLightning) {
    throw new InvalidRequestError('Lightning is not available in live mode: no LND node is configured (LND_REST_URL).', 'payment_methods');
  }
  if (methods.includes('onchain') && account.onchain_settlement === 'merchant_wallet' && !account.xpub_live) {
    throw new InvalidRequestError('On-chain payments in live mode need an account xpub.', 'payment_methods');
  }
  if (methods.includes('onchain') && account.onchain_settlement === 'platform' && !ctx.liveLightning) {
    throw new InvalidRequestError('On-chain payments to the platform wallet need the platform\'s LND node (LND_REST_URL).', 'payment_methods');
  }
  return account;
}
