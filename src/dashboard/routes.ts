import fs from 'node:fs';
import path from 'node:path';
import express, { Router, type ErrorRequestHandler, type Request, type RequestHandler, type Response } from 'express';
import { z } from 'zod';
import { ApiError, isUndecodablePath, RETRY_AFTER_SECONDS, toApiError } from '../api/errors';
import { UnknownCursorError } from '../db/pagination';
import { unavailableDependency } from '../api/unavailable';
import { html } from '../page/html';
import type { ServiceContext } from '../services/context';
import { DASHBOARD_SCRIPT } from './assets/script';
import { DASHBOARD_CSS } from './assets/style';
import { checkCsrf, loadSession, requirePermission, signedIn } from './auth/session';
import { setSessionMode } from './db/sessions';
import { homeRoutes } from './pages/home';
import { sessionListRoutes } from './pages/sessions';
import { sessionDetailRoutes } from './pages/sessionDetail';
import { linkRoutes } from './pages/links';
import { moneyRoutes } from './pages/money';
import { payoutRoutes } from './pages/payouts';
import { withdrawalLinkPageRoutes } from './pages/withdrawalLinks';
import { refundPageRoutes } from './pages/refunds';
import { webhookPageRoutes } from './pages/webhooks';
import { developerRoutes } from './pages/developers';
import { settingsRoutes } from './pages/settings';
import { adminRoutes } from './pages/admin';
import { signInRoutes } from './pages/signIn';
import { twoFactorRoutes } from './pages/twoFactor';
import { dashboardPage, DASH_ASSETS, document } from './views/layout';

/**
 * Our own script, the chart library and styles only; images from our own origin and data: URLs (QR
 * codes, the merchant's logo preview); never framed; no Referer leaves the dashboard for another origin.
 */
const PAGE_HEADERS: Record<string, string> = {
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: https:; "
    + "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  // same-origin, not no-referrer: under no-referrer Chromium sends `Origin: null` on our own form posts,
  // which the origin check must refuse; other sites still never see a dashboard URL.
  'referrer-policy': 'same-origin',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'cache-control': 'no-store',
};

/** The chart library's UMD build, read once from node_modules (served by the app: no CDN). */
function chartLibrary(): string {
  // chart.js's `exports` map does not export its dist files: resolve the package's entry, then its folder.
  return fs.readFileSync(path.join(path.dirname(require.resolve('chart.js')), 'chart.umd.min.js'), 'utf8');
}

/**
 * The merchant dashboard at `/dashboard`: server-rendered pages, cookie sessions, CSRF tokens on every
 * form, roles checked per route. It calls the same services and repositories as the API.
 */
export function dashboardRouter(ctx: ServiceContext, opts: { temporalUiUrl?: string | null } = {}): Router {
  const outer = Router();
  const router = Router();
  let chart: string | null = null;
  const asset = (type: string, body: () => string): RequestHandler => (_req, res) => {
    res.set({ 'cache-control': 'public, max-age=3600', 'x-content-type-options': 'nosniff' }).type(type).send(body());
  };
  router.get(DASH_ASSETS.css.replace('/dashboard', ''), asset('css', () => DASHBOARD_CSS));
  router.get(DASH_ASSETS.js.replace('/dashboard', ''), asset('js', () => DASHBOARD_SCRIPT));
  router.get(DASH_ASSETS.chart.replace('/dashboard', ''), asset('js', () => (chart ??= chartLibrary())));

  router.use((_req, res, next) => { res.set(PAGE_HEADERS); next(); });
  router.use(express.urlencoded({ extended: false, limit: '50kb' }));
  router.use(loadSession(ctx), checkCsrf(ctx));
  router.use(signInRoutes(ctx));
  router.use(twoFactorRoutes(ctx));

  router.post('/mode', requirePermission('read'), async (req, res) => {
    const { livemode } = z.object({ livemode: z.enum(['true', 'false']) }).passthrough().parse(req.body);
    await setSessionMode(ctx.db, signedIn(req).tokenHash, livemode === 'true');
    res.redirect(303, safeBack(req));
  });
  router.use(homeRoutes(ctx));
  router.use(sessionListRoutes(ctx));
  router.use(sessionDetailRoutes(ctx));
  router.use(linkRoutes(ctx));
  router.use(moneyRoutes(ctx));
  router.use(payoutRoutes(ctx));
  router.use(withdrawalLinkPageRoutes(ctx));
  router.use(refundPageRoutes(ctx));
  router.use(webhookPageRoutes(ctx));
  router.use(developerRoutes(ctx));
  router.use(settingsRoutes(ctx));
  router.use(adminRoutes(ctx, opts.temporalUiUrl ?? null));

  router.use((_req, _res, next) => next(new ApiError(404, 'There is no such dashboard page.', undefined, 'invalid_request_error')));
  router.use(dashboardErrors(ctx));
  outer.use('/dashboard', router);
  return outer;
}

/** Back to the page the form was on (same-origin `Referer` path only), else home. */
function safeBack(req: Request): string {
  const ref = req.get('referer');
  if (!ref) return '/dashboard';
  try {
    const path = new URL(ref).pathname;
    return /^\/dashboard(\/[\w/-]*)?$/.test(path) && !/\/(sessions|links|webhooks|withdrawal-links|refunds)\/\w+/.test(path) ? path : '/dashboard';
  } catch {
    return '/dashboard';
  }
}

/** A browser navigation (it asked for HTML) is sent to sign in; an API-style client gets the plain 401. */
function wantsHtml(req: Request): boolean {
  return (req.get('accept') ?? '').includes('text/html');
}

function sendError(req: Request, res: Response, status: number, message: string): void {
  const body = html`<h1>${status === 404 ? 'Not found' : status === 403 ? 'Not allowed' : 'Something went wrong'}</h1><p data-testid="error-message">${message}</p>`;
  const page = req.dashboard ? dashboardPage(req.dashboard, { title: 'Error', current: '', body }) : document('Error', html`<main id="main" class="signin">${body}</main>`);
  res.status(status).set(PAGE_HEADERS).type('html').send(page);
}

function dashboardErrors(ctx: ServiceContext): ErrorRequestHandler {
  return (err, req, res, _next) => {
    err = toApiError(err) ?? err;
    if (err instanceof ApiError && err.status === 401) {
      if (wantsHtml(req) && req.method === 'GET') return void res.redirect(303, `/dashboard/sign-in?next=${encodeURIComponent(req.originalUrl)}`);
      return sendError(req, res, 401, err.message);
    }
    if (err instanceof ApiError) {
      if (err.status === 429 || err.status === 503) res.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
      return sendError(req, res, err.status, err.message);
    }
    if (err instanceof UnknownCursorError) return sendError(req, res, 400, `No such ${err.param} object.`);
    if (err instanceof z.ZodError) return sendError(req, res, 400, 'The form was not filled in as expected.');
    if (isUndecodablePath(err)) return sendError(req, res, 404, 'There is no such dashboard page.');
    if (err?.type === 'entity.too.large' || err?.type === 'entity.parse.failed') return sendError(req, res, 400, 'The request could not be read.');
    if (unavailableDependency(err)) {
      res.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
      return sendError(req, res, 503, 'A service the dashboard needs is unavailable; try again in a moment.');
    }
    ctx.log.error({ err, method: req.method, path: req.path }, 'dashboard error');
    sendError(req, res, 500, 'Something went wrong on our side.');
  };
}
