import { Router } from 'express';
import { z } from 'zod';
import type { ServiceContext } from '../../services/context';
import { cancelRefund, createRefund, getRefund, listRefundViews } from '../../services/refunds';
import { scopeOf } from '../auth';
import { idParam } from '../inputRules';
import { listBody, pageOptions } from '../lists';
import { bodyObject, parseOr400 } from '../validate';
import { createRefundSchema, listRefundsQuery } from './schema';

/** `/refunds`: create (refuses before anything is reserved), retrieve, list, cancel (an unclaimed link). */
export function refundRoutes(ctx: ServiceContext): Router {
  const router = Router();
  router.param('id', idParam('re', 'refund'));

  router.post('/', async (req, res) => {
    const input = parseOr400(createRefundSchema, bodyObject(req.body));
    res.json(await createRefund(ctx, scopeOf(req), input, req.idempotencySeed!));
  });

  router.get('/', async (req, res) => {
    const q = parseOr400(listRefundsQuery, req.query);
    const { data, hasMore } = await listRefundViews(ctx, scopeOf(req), { ...pageOptions(q), sessionId: q.checkout_session });
    res.json(listBody(data, hasMore));
  });

  router.get('/:id', async (req, res) => {
    res.json(await getRefund(ctx, String(req.params.id), scopeOf(req)));
  });

  router.post('/:id/cancel', async (req, res) => {
    parseOr400(z.object({}).strict(), bodyObject(req.body));
    res.json(await cancelRefund(ctx, String(req.params.id), scopeOf(req)));
  });

  return router;
}
