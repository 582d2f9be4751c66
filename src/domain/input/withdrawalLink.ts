import { z } from 'zod';
import { hasValidPrecision } from '../money';
import { currencyCode, metadataSchema } from './common';

/** At most a year, as a session's TTL. */
export const MAX_WITHDRAWAL_LINK_TTL_SECONDS = 31_536_000;

/**
 * Body of `POST /withdrawal-links`: an amount in SATS, BTC or a fiat currency (converted to sats at the
 * current rate, locked at create), and an optional lifetime (`ttl` seconds; absent: until claimed or
 * deactivated). Speed's withdrawal-link fields where it documents them.
 */
export const createWithdrawalLinkSchema = z.object({
  currency: currencyCode,
  amount: z.number().positive().describe('in `currency`, with at most its decimals (0 for SATS and JPY, 8 for BTC, 2 otherwise); worth at least 1 sat'),
  target_currency: z.literal('SATS').default('SATS'),
  ttl: z.number().int().min(1).max(MAX_WITHDRAWAL_LINK_TTL_SECONDS).optional(),
  description: z.string().max(639).nullable().optional().describe('shown to the wallet as the default invoice description (LUD-03 defaultDescription)'),
  statement_descriptor: z.string().max(255).nullable().optional(),
  metadata: metadataSchema.nullable().optional(),
}).strict().describe('The amount plus its routing-fee limit must be within the available balance (else a 400 `insufficient_funds` on amount).').superRefine((b, ctx) => {
  if (!hasValidPrecision(String(b.amount), b.currency)) ctx.addIssue({ code: 'custom', path: ['amount'], message: `has more decimals than ${b.currency} allows` });
});

export type CreateWithdrawalLinkInput = z.infer<typeof createWithdrawalLinkSchema>;
