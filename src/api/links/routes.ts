import { Router } from 'express';
import { z } from 'zod';
import type { LinkKind } from '../../db/links';
import type { ServiceContext } from '../../services/context';
import { deactivateLink } from '../../services/linkLifecycle';
import { createCheckoutLink, createPaymentLink, getLink, listLinkViews } from '../../services/links';
import { scopeOf } from '../auth';
import { createSessionSchema } from '../../domain/input/sessionFields';
import { listBody, listQuery, pageOptions } from '../lists';
import { bodyObject, parseOr400 } from '../validate';
import { idParam } from '../inputRules';

/** Body of `POST /checkout-links` and `POST /payment-links`: the session fields, same rules as a session. */
export const createLinkSchema = createSessionSchema;

/** Query of the link lists: cursors plus `status` (a payment link is never `paid`). */
function listLinksQuery(kind: LinkKind) {
  return listQuery({
    status: (kind === 'checkout' ? z.enum(['active', 'paid', 'deactivated']) : z.enum(['active', 'deactivated'])).optional(),
  }, kind === 'checkout' ? 'clink' : 'plink');
}

/** The merchant routers of links, keyed by mount path (SPEC §7). */
export function linkApiRouters(ctx: ServiceContext): Record<string, Router> {
  return { '/checkout-links': linkRoutes(ctx, 'checkout'), '/payment-links': linkRoutes(ctx, 'payment') };
}

/** `/checkout-links` or `/payment-links`: create, retrieve, list, deactivate. */
function linkRoutes(ctx: ServiceContext, kind: LinkKind): Router {
  const router = Router();
  router.param('id', kind === 'checkout' ? idParam('clink', 'checkout link') : idParam('plink', 'payment link'));
  const createSchema = createLinkSchema(Math.min(300, ctx.config.minTtlSeconds));
  const listSchema = listLinksQuery(kind);
  const create = kind === 'checkout' ? createCheckoutLink : createPaymentLink;

  router.post('/', async (req, res) => {
    const input = parseOr400(createSchema, bodyObject(req.body));
    res.json(await create(ctx, scopeOf(req), input, req.idempotencySeed!));
  });

  router.get('/', async (req, res) => {
    const q = parseOr400(listSchema, req.query);
    const { data, hasMore } = await listLinkViews(ctx, kind, scopeOf(req), { ...pageOptions(q), status: q.status });
    res.json(listBody(data, hasMore));
  });

  router.get('/:id', async (req, res) => {
    res.json(await getLink(ctx, kind, req.params.id, scopeOf(req)));
  });

  router.post('/:id/deactivate', async (req, res) => {
    parseOr400(z.object({}).strict(), bodyObject(req.body));
    res.json(await deactivateLink(ctx, kind, req.params.id, scopeOf(req)));
  });

  return router;
}
