import { z } from 'zod';
import { metadataSchema } from './common';
import { MAX_WITHDRAWAL_LINK_TTL_SECONDS } from './withdrawalLink';

/**
 * Body of `POST /refunds`. What is refunded: a checkout session (or one of its payments); how much:
 * `full` (the default without `amount`), `partial` (the default with one; `amount` in the session's
 * currency) or `excess` (only what an overpaid / paid_late session received above its price); at which
 * rate a fiat amount is converted: the original payment's (default) or today's. Where it goes: a
 * withdrawal link for the customer (the default) or the Lightning invoice in `withdraw_request`.
 */
export const createRefundSchema = z.object({
  checkout_session: z.string().regex(/^cs_\w+$/, 'must be a checkout session ID (cs_…)'),
  payment: z.string().regex(/^pi_\w+$/, 'must be a payment ID (pi_…)').optional(),
  type: z.enum(['full', 'partial', 'excess']).optional(),
  amount: z.number().positive().optional(),
  rate: z.enum(['original', 'current']).default('original'),
  withdraw_method: z.enum(['withdrawal_link', 'lightning']).default('withdrawal_link'),
  withdraw_request: z.string().min(1).max(2000).optional().describe('the customer\'s BOLT11 invoice for exactly the refund, or a Lightning Address / LNURL-pay resolved to one (withdraw_method lightning)'),
  ttl: z.number().int().min(1).max(MAX_WITHDRAWAL_LINK_TTL_SECONDS).optional().describe('lifetime of the withdrawal link, seconds (default 30 days)'),
  reverse_transfers: z.boolean().default(false),
  reason: z.string().max(255).nullable().optional(),
  metadata: metadataSchema.nullable().optional(),
}).strict().describe('`type` partial needs `amount`; full and excess take none (without `type`, an `amount` makes it partial). '
  + '`withdraw_request` is required with `withdraw_method` lightning and refused otherwise; `ttl` only with withdrawal_link. '
  + '`checkout_session` must be one of yours that received money (and `payment` one of its payments), and the amount at most what it '
  + 'received less what was refunded: else a 400 naming the field.').superRefine((b, ctx) => {
  const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
  if (b.type === 'partial' && b.amount === undefined) issue('amount', 'is required for a partial refund');
  if ((b.type === 'full' || b.type === 'excess') && b.amount !== undefined) issue('amount', `is not allowed for a ${b.type} refund`);
  if (b.withdraw_method === 'lightning' && !b.withdraw_request) issue('withdraw_request', 'is required for withdraw_method lightning');
  if (b.withdraw_method === 'withdrawal_link' && b.withdraw_request) issue('withdraw_request', 'is only allowed for withdraw_method lightning');
  if (b.withdraw_method === 'lightning' && b.ttl !== undefined) issue('ttl', 'is only allowed for withdraw_method withdrawal_link');
});

export type CreateRefundInput = z.infer<typeof createRefundSchema>;
