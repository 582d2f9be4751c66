import { Router } from 'express';
import { z } from 'zod';
import { updateSessionFields } from '../../db/sessions';
import { findPayment } from '../../db/payments';
import {
  createCheckoutSession, deactivateCheckoutSession, getCheckoutSession, listCheckoutSessionTexts,
} from '../../services/checkoutSessions';
import type { ServiceContext } from '../../services/context';
import { sessionUpdate } from '../../services/sessionUpdate';
import { refreshSessionView } from '../../views/storedSessionView';
import { scopeOf } from '../auth';
import { NotFoundError } from '../errors';
import { listBodyText, listQuery, pageOptions } from '../lists';
import { sendJsonText } from '../jsonText';
import { bodyObject, parseOr400 } from '../validate';
import { createSessionSchema, updateSessionSchema } from '../../domain/input/sessionFields';
import { idParam } from '../inputRules';

/** `/checkout-sessions` (SPEC §4). */
export function checkoutSessionRoutes(ctx: ServiceContext): Router {
  const router = Router();
  router.param('id', idParam('cs', 'checkout session'));
  router.param('paymentId', idParam('pi', 'payment'));
  const createSchema = createSessionSchema(Math.min(300, ctx.config.minTtlSeconds));
  const listSchema = listQuery({ status: z.enum(['active', 'paid', 'deactivated']).optional() }, 'cs');

  router.post('/', async (req, res) => {
    const input = parseOr400(createSchema, bodyObject(req.body));
    res.json(await createCheckoutSession(ctx, scopeOf(req), input, req.idempotencySeed!, null, req.idempotencySeedIsNew === true));
  });

  router.get('/', async (req, res) => {
    const q = parseOr400(listSchema, req.query);
    const { texts, hasMore } = await listCheckoutSessionTexts(ctx, scopeOf(req), { ...pageOptions(q), status: q.status });
    sendJsonText(res, listBodyText(texts, hasMore));
  });

  router.get('/payment/:paymentId', async (req, res) => {
    const payment = await findPayment(ctx.db, req.params.paymentId, scopeOf(req));
    if (!payment) throw new NotFoundError('payment', req.params.paymentId);
    res.json(await getCheckoutSession(ctx, payment.checkout_session_id, scopeOf(req), true));
  });

  // GET /:id is checkoutSessionReadRoute (read.ts), mounted ahead of the merchant auth: one statement for key and read.

  router.post('/:id', async (req, res) => {
    const patch = parseOr400(updateSessionSchema, bodyObject(req.body));
    await getCheckoutSession(ctx, req.params.id, scopeOf(req));
    await updateSessionFields(ctx.db, req.params.id, (current) => sessionUpdate(current, patch), Date.now(),
      (tx) => refreshSessionView(tx, req.params.id));
    res.json(await getCheckoutSession(ctx, req.params.id, scopeOf(req)));
  });

  router.post('/:id/deactivate', async (req, res) => {
    parseOr400(z.object({}).strict(), bodyObject(req.body));
    res.json(await deactivateCheckoutSession(ctx, req.params.id, scopeOf(req)));
  });

  return router;
}
