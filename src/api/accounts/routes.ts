import { Router } from 'express';
import { z } from 'zod';
import { createAccount, createKey } from '../../services/accounts';
import type { ServiceContext } from '../../services/context';
import { Dec } from '../../domain/money';
import { decimalNumber, percentage } from '../schemas/common';
import { bodyObject, parseOr400 } from '../validate';

const createAccountSchema = z.object({
  name: z.string().trim().min(1).max(255),
  affiliate: z.object({
    account: z.string().regex(/^acct_\w+$/, 'must be an account ID (acct_…)'),
    percentage: percentage.refine((p) => new Dec(p).gt(0) && new Dec(p).lte(50), 'must be greater than 0 and at most 50'),
  }).strict().optional(),
  amount_paid_tolerance: decimalNumber(2).refine((t) => new Dec(t).gte(0) && new Dec(t).lte(5), 'must be between 0 and 5').optional(),
  xpub: z.string().min(1).max(200).optional(),
}).strict();

const createKeySchema = z.object({ livemode: z.boolean() }).strict();

/** `/accounts`: platform-admin endpoints (SPEC §3). */
export function accountRoutes(ctx: ServiceContext): Router {
  const router = Router();
  router.post('/', async (req, res) => {
    const input = parseOr400(createAccountSchema, bodyObject(req.body));
    res.json(await createAccount(ctx, input, req.idempotencySeed!));
  });
  router.post('/:id/keys', async (req, res) => {
    const input = parseOr400(createKeySchema, bodyObject(req.body));
    res.json(await createKey(ctx.db, req.params.id, input.livemode));
  });
  return router;
}
