import { z } from 'zod';
import { Dec } from '../../domain/money';
import { currencyCode, decimalNumber } from '../../domain/input/common';

/**
 * Body of `POST /instant-sends` (Speed's instant send): `amount` in `currency` (SATS, BTC or a fiat
 * currency, converted at the current rate and locked), `withdraw_method`, `withdraw_request` = the
 * destination (BOLT11, Lightning Address, LNURL-pay for `lightning`; an address for `onchain`), `note`.
 * `amount` may be left out only for a BOLT11 that names its own amount.
 */
export const createInstantSendSchema = z.object({
  amount: decimalNumber(8).refine((a) => new Dec(a).gt(0), 'must be greater than 0')
    .meta({ minimum: 0, exclusiveMinimum: true, description: 'in `currency`, with at most its decimals; worth at least 1 sat (546 on-chain); left out only for a BOLT11 that names its amount' })
    .optional(),
  currency: currencyCode.default('SATS'),
  withdraw_method: z.enum(['lightning', 'onchain']),
  withdraw_request: z.string().trim().min(1).max(2000).meta({
    pattern: '\\S',
    description: 'lightning: a BOLT11 invoice of the mode\'s network (unexpired, not already paid), a Lightning Address or an LNURL-pay; '
      + 'onchain: an address of the mode\'s network. Checked when created: a 400 naming it otherwise',
  }),
  note: z.string().max(500).optional(),
}).strict().describe('The amount plus its network fee limit must be within the available balance (else a 400 `insufficient_funds` on amount).');
