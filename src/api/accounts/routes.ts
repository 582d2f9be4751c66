import { Router } from 'express';
import { z } from 'zod';
import { createAccount, createKey, listAccountKeys, revokeAccountKey, updateAccount } from '../../services/accounts';
import type { ServiceContext } from '../../services/context';
import { accountUsers, createUser, newUserSchema } from '../../dashboard/users';
import { bodyObject, parseOr400 } from '../validate';
import { connectDestinationSchema, createAccountSchema, createKeySchema, listDestinationsQuery, updateAccountSchema } from './schema';
import { idParam } from '../inputRules';
import { listBody, pageOptions } from '../lists';
import { connectDestination, listDestinations, revokeDestination } from '../../services/transferConnections';

/** `/accounts`: platform-admin endpoints (SPEC §3): accounts and the lifecycle of their secret keys. */
export function accountRoutes(ctx: ServiceContext): Router {
  const router = Router();
  router.param('id', idParam('acct', 'account'));
  router.param('keyId', idParam('key', 'api key'));
  router.param('destination', idParam('acct', 'transfer destination'));
  const noBody = z.object({}).strict();
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
  router.get('/:id/keys', async (req, res) => {
    res.json(await listAccountKeys(ctx.db, req.params.id));
  });
  // Two spellings of one action: REST clients DELETE, form-minded ones POST …/revoke.
  router.delete('/:id/keys/:keyId', async (req, res) => {
    res.json(await revokeAccountKey(ctx.db, req.params.id, req.params.keyId));
  });
  router.post('/:id/keys/:keyId/revoke', async (req, res) => {
    parseOr400(noBody, bodyObject(req.body));
    res.json(await revokeAccountKey(ctx.db, req.params.id, req.params.keyId));
  });
  // Dashboard users of the account (docs/dashboard.md); without a password the answer has a one-time invite_url.
  router.post('/:id/users', async (req, res) => {
    res.json(await createUser(ctx, req.params.id, parseOr400(newUserSchema, bodyObject(req.body))));
  });
  router.get('/:id/users', async (req, res) => {
    res.json({ object: 'list', has_more: false, data: await accountUsers(ctx, req.params.id) });
  });
  // Transfer consent (docs/transfers.md): which accounts this account's sessions and links may send transfers to.
  router.post('/:id/transfer-destinations', async (req, res) => {
    const input = parseOr400(connectDestinationSchema, bodyObject(req.body));
    res.json(await connectDestination(ctx.db, req.params.id, input.destination_account, req.idempotencySeed!));
  });
  router.get('/:id/transfer-destinations', async (req, res) => {
    const { data, hasMore } = await listDestinations(ctx.db, req.params.id, pageOptions(parseOr400(listDestinationsQuery, req.query)));
    res.json(listBody(data, hasMore));
  });
  router.delete('/:id/transfer-destinations/:destination', async (req, res) => {
    res.json(await revokeDestination(ctx.db, req.params.id, req.params.destination));
  });
  return router;
}
