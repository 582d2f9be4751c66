import { z } from 'zod';
import { CURRENCY_DECIMALS, Dec, isSupportedCurrency } from '../../domain/money';
import { decimalNumber } from '../../domain/input/common';

/**
 * Body of `POST /instant-sends` (Speed's instant send): `amount` in `currency` (SATS, BTC or a fiat
 * currency, converted at the current rate and locked), `withdraw_method`, `withdraw_request` = the
 * destination (BOLT11, Lightning Address, LNURL-pay for `lightning`; an address for `onchain`), `note`.
 * `amount` may be left out only for a BOLT11 that names its own amount.
 */
export const createInstantSendSchema = z.object({
  amount: decimalNumber(8).refine((a) => new Dec(a).gt(0), 'must be greater than 0').optional(),
  currency: z.string().transform((c) => c.toUpperCase()).refine(isSupportedCurrency, {
    message: `must be one of ${Object.keys(CURRENCY_DECIMALS).join(', ')}`,
  }).default('SATS'),
  withdraw_method: z.enum(['lightning', 'onchain']),
  withdraw_request: z.string().trim().min(1).max(2000),
  note: z.string().max(500).optional(),
}).strict();
