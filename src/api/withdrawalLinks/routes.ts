import { Router } from 'express';
import { z } from 'zod';
import type { ServiceContext } from '../../services/context';
import {
  createWithdrawalLink, deactivateWithdrawalLink, getWithdrawalLink, listWithdrawalLinkViews,
} from '../../services/withdrawalLinks';
import { scopeOf } from '../auth';
import { idParam } from '../inputRules';
import { listBody, pageOptions } from '../lists';
import { bodyObject, parseOr400 } from '../validate';
import { createWithdrawalLinkSchema, listWithdrawalLinksQuery } from './schema';

/** `/withdrawal-links`: create (reserves the amount), retrieve, list, deactivate (releases it). */
export function withdrawalLinkRoutes(ctx: ServiceContext): Router {
  const router = Router();
  router.param('id', idParam('wlink', 'withdrawal link'));

  router.post('/', async (req, res) => {
    const input = parseOr400(createWithdrawalLinkSchema, bodyObject(req.body));
    res.json(await createWithdrawalLink(ctx, scopeOf(req), input, req.idempotencySeed!));
  });

  router.get('/', async (req, res) => {
    const q = parseOr400(listWithdrawalLinksQuery, req.query);
    const { data, hasMore } = await listWithdrawalLinkViews(ctx, scopeOf(req), { ...pageOptions(q), status: q.status });
    res.json(listBody(data, hasMore));
  });

  router.get('/:id', async (req, res) => {
    res.json(await getWithdrawalLink(ctx, String(req.params.id), scopeOf(req)));
  });

  router.post('/:id/deactivate', async (req, res) => {
    parseOr400(z.object({}).strict(), bodyObject(req.body));
    res.json(await deactivateWithdrawalLink(ctx, String(req.params.id), scopeOf(req)));
  });

  return router;
}
