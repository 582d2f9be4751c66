import { Router } from 'express';
import { createAccount, createKey, updateAccount } from '../../services/accounts';
import type { ServiceContext } from '../../services/context';
import { bodyObject, parseOr400 } from '../validate';
import { createAccountSchema, createKeySchema, updateAccountSchema } from './schema';

/** `/accounts`: platform-admin endpoints (SPEC §3). */
export function accountRoutes(ctx: ServiceContext): Router {
  const router = Router();
  router.post('/', async (req, res) => {
    const input = parseOr400(createAccountSchema, bodyObject(req.body));
    res.json(await createAccount(ctx, input, req.idempotencySeed!));
  });
  router.post('/:id', async (req, res) => {
    const input = parseOr400(updateAccountSchema, bodyObject(req.body));
    res.json(await updateAccount(ctx, req.params.id, input));
  });
  router.post('/:id/keys', async (req, res) => {
    const input = parseOr400(createKeySchema, bodyObject(req.body));
    res.json(await createKey(ctx.db, req.params.id, input.livemode));
  });
  return router;
}
