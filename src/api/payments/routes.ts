import { Router } from 'express';
import { findPayment, listPayments } from '../../db/payments';
import type { ServiceContext } from '../../services/context';
import { paymentView } from '../../views/payment';
import { scopeOf } from '../auth';
import { NotFoundError } from '../errors';
import { objectId } from '../../domain/input/common';
import { listBody, listQuery, pageOptions } from '../lists';
import { parseOr400 } from '../validate';
import { idParam } from '../inputRules';

/** `/payments` (SPEC §5). */
export function paymentRoutes(ctx: ServiceContext): Router {
  const router = Router();
  router.param('id', idParam('pi', 'payment'));
  const listSchema = listQuery({ checkout_session: objectId('cs').optional() }, 'pi');
  router.get('/', async (req, res) => {
    const q = parseOr400(listSchema, req.query);
    const { rows, hasMore } = await listPayments(ctx.db, scopeOf(req), { ...pageOptions(q), sessionId: q.checkout_session });
    res.json(listBody(rows.map(paymentView), hasMore));
  });
  router.get('/:id', async (req, res) => {
    const payment = await findPayment(ctx.db, req.params.id, scopeOf(req));
    if (!payment) throw new NotFoundError('payment', req.params.id);
    res.json(paymentView(payment));
  });
  return router;
}
