import { z } from 'zod';
import { Dec } from '../../domain/money';
import { currencyCode, decimalNumber, percentage, toleranceInRange, updateText } from '../../domain/input/common';
import { listQuery } from '../lists';

/**
 * Where live on-chain receipts settle (docs/custody.md): `platform` (default: an address of the platform
 * node's wallet, so fees and splits are enforceable) or `merchant_wallet` (an address of the account's
 * xpub: its share is its own at once, and what the receipt owes is taken from its platform-held balance).
 */
const onchainSettlement = z.enum(['platform', 'merchant_wallet']);

/** The currency the dashboard shows revenue in besides sats: any currency a session may be priced in (the same rule). */
const displayCurrency = currencyCode.meta({ ...currencyCode.meta(), description: 'the currency the dashboard shows revenue in besides sats (default USD)' });

/** Body of `POST /accounts`. */
export const createAccountSchema = z.object({
  name: z.string().trim().min(1).max(255).meta({ pattern: '\\S' }),
  affiliate: z.object({
    account: z.string().regex(/^acct_\w+$/, 'must be an account ID (acct_…)'),
    percentage: percentage.refine((p) => new Dec(p).gt(0) && new Dec(p).lte(50), 'must be greater than 0 and at most 50')
      .meta({ minimum: 0, exclusiveMinimum: true, maximum: 50, description: 'at most 2 decimals' }),
  }).strict().optional(),
  amount_paid_tolerance: toleranceInRange(decimalNumber(2))
    .meta({ minimum: 0, maximum: 5, description: 'at most 2 decimals' }).optional(),
  xpub: z.string().min(1).max(200).optional(),
  onchain_settlement: onchainSettlement.optional(),
  display_currency: displayCurrency.optional(),
}).strict();

/** Body of `POST /accounts/{id}`: a field left out is kept; `xpub: ""` removes the live-mode key (`null` is refused, see updateText). */
export const updateAccountSchema = z.object({
  name: z.string().trim().min(1).max(255).meta({ pattern: '\\S' }).optional(),
  amount_paid_tolerance: toleranceInRange(decimalNumber(2))
    .meta({ minimum: 0, maximum: 5, description: 'at most 2 decimals' }).optional(),
  xpub: updateText(200).transform((v) => v || null).optional(),
  onchain_settlement: onchainSettlement.optional(),
  display_currency: displayCurrency.optional(),
}).strict();

/** Body of `POST /accounts/{id}/keys`. */
export const createKeySchema = z.object({ livemode: z.boolean() }).strict();

/** Body of `POST /accounts/{id}/transfer-destinations`: the account that consents to receive transfers from `{id}`. */
export const connectDestinationSchema = z.object({
  destination_account: z.string().regex(/^acct_\w+$/, 'must be an account ID (acct_…)'),
}).strict();

/** Query of `GET /accounts/{id}/transfer-destinations`: cursors are connection IDs (`tcon_…`). */
export const listDestinationsQuery = listQuery({}, 'tcon');
