import { Router } from 'express';
import { z } from 'zod';
import { findEvent, listEvents, type EventRow } from '../../db/events';
import type { ServiceContext } from '../../services/context';
import { scopeOf } from '../auth';
import { NotFoundError } from '../errors';
import { listBody, listQuery, pageOptions } from '../lists';
import { parseOr400 } from '../validate';
import { idParam } from '../inputRules';

/** An event in the envelope of SPEC §8. */
export function eventView(e: EventRow) {
  return {
    id: e.id, object: 'event', api_version: '2022-10-15', event_type: e.event_type,
    data: e.data, livemode: e.livemode, created: Number(e.created),
  };
}

/** `/events` (SPEC §8). */
export function eventRoutes(ctx: ServiceContext): Router {
  const router = Router();
  router.param('id', idParam('evt', 'event'));
  const listSchema = listQuery({ event_type: z.string().min(1).max(100).optional() }, 'evt');
  router.get('/', async (req, res) => {
    const q = parseOr400(listSchema, req.query);
    const { rows, hasMore } = await listEvents(ctx.db, scopeOf(req), { ...pageOptions(q), eventType: q.event_type });
    res.json(listBody(rows.map(eventView), hasMore));
  });
  router.get('/:id', async (req, res) => {
    const e = await findEvent(ctx.db, req.params.id, scopeOf(req));
    if (!e) throw new NotFoundError('event', req.params.id);
    res.json(eventView(e));
  });
  return router;
}
