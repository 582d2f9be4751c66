import { Router } from 'express';
import { z } from 'zod';
import type { ServiceContext } from '../../services/context';
import { createInstantSend, getInstantSend, listInstantSends } from '../../services/payouts';
import { scopeOf } from '../auth';
import { idParam } from '../inputRules';
import { listBody, listQuery, pageOptions } from '../lists';
import { bodyObject, parseOr400 } from '../validate';
import { createInstantSendSchema } from './schema';

/** Query of `GET /instant-sends`: cursors plus `status`. */
export const listInstantSendsQuery = listQuery({ status: z.enum(['unpaid', 'paid', 'failed']).optional() }, 'is');

/** `/instant-sends` (payouts from the account's balance): create, list, retrieve. */
export function instantSendRoutes(ctx: ServiceContext): Router {
  const router = Router();
  router.param('id', idParam('is', 'instant send'));

  router.post('/', async (req, res) => {
    const input = parseOr400(createInstantSendSchema, bodyObject(req.body));
    res.json(await createInstantSend(ctx, scopeOf(req), input, req.idempotencySeed!));
  });

  router.get('/', async (req, res) => {
    const q = parseOr400(listInstantSendsQuery, req.query);
    const { data, hasMore } = await listInstantSends(ctx, scopeOf(req), { ...pageOptions(q), status: q.status });
    res.json(listBody(data, hasMore));
  });

  router.get('/:id', async (req, res) => {
    res.json(await getInstantSend(ctx, req.params.id, scopeOf(req)));
  });
  return router;
}
