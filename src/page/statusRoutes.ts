import express, { Router } from 'express';
import { cleanInput, idParam } from '../api/inputRules';
import type { ServiceContext } from '../services/context';
import { loadPageModel, statusBody } from './model';
import type { PublicLimiters } from './rateLimits';
import { simulatePagePayment } from './simulate';

/**
 * The page's small public JSON endpoints: `GET /pay/{cs}/status` (what the script polls; only what
 * the page shows, nothing about the merchant's account) and `POST /pay/{cs}/simulate` (test mode
 * only). Errors are SPEC §2 JSON bodies from the app's error middleware.
 */
export function pageStatusRoutes(ctx: ServiceContext, limits: PublicLimiters): Router {
  const router = Router();
  router.param('id', idParam('cs', 'checkout session'));

  router.get('/pay/:id/status', async (req, res) => {
    res.set('cache-control', 'no-store').json(statusBody(await loadPageModel(ctx, req.params.id)));
  });

  router.post('/pay/:id/simulate', limits.perIp, limits.perSession, express.urlencoded({ extended: false, limit: '4kb' }), express.json({ limit: '4kb' }), cleanInput(), async (req, res) => {
    const id = String(req.params.id);
    const result = await simulatePagePayment(ctx, id, req.body);
    // The script posts JSON and stays on the page; a plain form post (no script) comes back to it.
    if (req.accepts(['json', 'html']) === 'html') return void res.redirect(303, `/pay/${id}`);
    res.json(result);
  });

  return router;
}
