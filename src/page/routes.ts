import express, { Router, type ErrorRequestHandler, type RequestHandler, type Response } from 'express';
import { isUndecodablePath, NotFoundError, RETRY_AFTER_SECONDS, toApiError } from '../api/errors';
import { findLogoImage } from '../db/branding';
import { accentCss } from './brand';
import { requireId } from '../api/inputRules';
import { unavailableDependency } from '../api/unavailable';
import { findLink } from '../db/links';
import type { ServiceContext } from '../services/context';
import { checkoutLinkSession, openPaymentLinkSession } from '../services/linkLifecycle';
import { PAGE_SCRIPT } from './assets/script';
import { PAGE_CSS } from './assets/style';
import { loadPageModel } from './model';
import { renderLinkLanding, renderNotice, renderRefusedForm, renderSessionPage, type RenderedPage } from './render';
import { pageStatusRoutes } from './statusRoutes';
import { submitCheckoutForm } from './submit';
import { ASSET_PATHS } from './views/layout';
import { rememberVisitorSession, returningVisitorSession } from './linkVisitor';
import { publicLimiters, type PublicLimiters } from './rateLimits';
import { withdrawRoutes } from './withdrawRoutes';

/**
 * Only our own script, styles and forms; images from anywhere (the merchant's `title_image`); never
 * framed; the session URL never leaks to the image host or the merchant's site through Referer.
 */
const PAGE_HEADERS: Record<string, string> = {
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' https: http: data:; "
    + "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
};

/** Sends a rendered page with the page's headers (CSP and the rest). */
export function send(res: Response, page: RenderedPage): void {
  res.status(page.status).set(PAGE_HEADERS).type('html').send(page.html);
}

/** The public routers of the hosted payment page and the link URLs (mounted without auth). */
export function pageRouters(ctx: ServiceContext): Router[] {
  const limits = publicLimiters(ctx.config.rateLimits);
  return [pageStatusRoutes(ctx, limits), withdrawRoutes(ctx, limits, send), pageRoutes(ctx, limits)];
}

/**
 * The customer-facing HTML: `/pay/{cs}` (the payment page and its form), `/c/{clink}` and
 * `/p/{plink}` (links), and the page's assets. Public: no key. Links inside are relative, so the
 * page works on whatever host serves it. Errors render as pages, never as JSON.
 */
function pageRoutes(ctx: ServiceContext, limits: PublicLimiters): Router {
  const router = Router();
  const asset = (type: string, body: string): RequestHandler => (_req, res) => {
    res.set({ 'cache-control': 'public, max-age=3600', 'x-content-type-options': 'nosniff' }).type(type).send(body);
  };
  router.get(ASSET_PATHS.css, asset('css', PAGE_CSS));
  router.get(ASSET_PATHS.js, asset('js', PAGE_SCRIPT));
  // A merchant's accent colour as a stylesheet, named by the colour itself (immutable).
  router.get('/pay-assets/brand/:file', (req, res, next) => {
    const hex = /^([0-9a-f]{6})\.css$/.exec(String(req.params.file))?.[1];
    if (!hex) return next(new NotFoundError('stylesheet', String(req.params.file)));
    res.set({ 'cache-control': 'public, max-age=31536000, immutable', 'x-content-type-options': 'nosniff' }).type('css').send(accentCss(`#${hex}`));
  });
  // An uploaded logo, named by its SHA-256; served with a CSP that runs nothing, should it be opened as a page.
  router.get('/pay-assets/logo/:hash', async (req, res, next) => {
    const hash = String(req.params.hash);
    const logo = /^[0-9a-f]{64}$/.test(hash) ? await findLogoImage(ctx.db, hash) : undefined;
    if (!logo) return next(new NotFoundError('logo', hash));
    res.set({ 'cache-control': 'public, max-age=31536000, immutable', 'x-content-type-options': 'nosniff',
      'content-security-policy': "default-src 'none'; sandbox" }).type(logo.logo_type).send(logo.logo_image);
  });

  router.get('/pay/:id', requireId('cs', 'checkout session'), async (req, res) => {
    send(res, await renderSessionPage(await loadPageModel(ctx, String(req.params.id))));
  });

  router.post('/pay/:id', requireId('cs', 'checkout session'), limits.perIp, limits.perSession, express.urlencoded({ extended: false, limit: '20kb' }), async (req, res) => {
    const id = String(req.params.id);
    const outcome = await submitCheckoutForm(ctx, id, req.body);
    if (outcome.ok) return void res.redirect(303, `/pay/${id}`);
    send(res, renderRefusedForm(outcome.model, outcome.fields, outcome.errors, outcome.values));
  });

  router.get('/c/:id', requireId('clink', 'checkout link'), async (req, res) => {
    res.redirect(303, `/pay/${await checkoutLinkSession(ctx, String(req.params.id))}`);
  });

  // A HEAD (link previews, uptime checks) must not open a session; only a real visit does.
  router.head('/p/:id', requireId('plink', 'payment link'), async (req, res) => {
    const link = await findLink(ctx.db, 'payment', String(req.params.id));
    res.status(!link ? 404 : link.status === 'active' ? 200 : 410).set('cache-control', 'no-store').end();
  });
  // A GET opens nothing (crawlers, previews and prefetches make GETs): a returning visitor goes back to
  // their open session, anyone else sees the link's first page, whose button POSTs.
  router.get('/p/:id', requireId('plink', 'payment link'), async (req, res) => {
    const linkId = String(req.params.id);
    const known = await returningVisitorSession(ctx, req, linkId);
    if (known) return void res.set('cache-control', 'no-store').redirect(303, `/pay/${known}`);
    const link = await findLink(ctx.db, 'payment', linkId);
    if (!link) return send(res, renderNotice(404));
    if (link.status !== 'active') return send(res, renderNotice(410, 'The merchant has deactivated this payment link, so no payment is needed.'));
    const title = typeof link.definition.title === 'string' ? link.definition.title : null;
    send(res, renderLinkLanding(linkId, title));
  });
  // Going on opens a session (a workflow, an invoice, an address): counted per client and per link, and
  // capped per link at PAYMENT_LINK_MAX_OPEN_SESSIONS open unpaid sessions (429 + Retry-After).
  router.post('/p/:id', requireId('plink', 'payment link'), async (req, res, next) => {
    const known = await returningVisitorSession(ctx, req, String(req.params.id));
    if (known) return void res.set('cache-control', 'no-store').redirect(303, `/pay/${known}`);
    next();
  }, limits.perIp, limits.perLink, async (req, res) => {
    const linkId = String(req.params.id);
    const sessionId = await openPaymentLinkSession(ctx, linkId);
    rememberVisitorSession(ctx, res, linkId, sessionId);
    res.set('cache-control', 'no-store').redirect(303, `/pay/${sessionId}`);
  });

  router.use(pageErrors(ctx));
  return router;
}

function pageErrors(ctx: ServiceContext): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const known = toApiError(err);
    if (known) {
      const retryAfter = (known as { retryAfterSeconds?: unknown }).retryAfterSeconds;
      if (typeof retryAfter === 'number') res.setHeader('Retry-After', String(retryAfter));
      return send(res, renderNotice(known.status, known.message));
    }
    if (isUndecodablePath(err)) return send(res, renderNotice(404));
    if (err?.type === 'entity.too.large' || err?.type === 'entity.parse.failed') return send(res, renderNotice(400));
    if (unavailableDependency(err)) {
      ctx.log.warn({ err, method: req.method, path: req.path }, 'payment page: dependency unavailable; answered 503');
      res.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
      return send(res, renderNotice(503));
    }
    ctx.log.error({ err, method: req.method, path: req.path }, 'payment page error');
    send(res, renderNotice(500));
  };
}
