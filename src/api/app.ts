import { traceRequests } from '../telemetry/httpTracing';
import express, { type Express, type Router } from 'express';
import { refuseInexactNumbers } from './exactNumbers';
import { httpMetricsMiddleware } from '../metrics/httpMetrics';
import { withCallDeadline } from '../temporal/deadline';
import { createMetricsRegistry, metricsRouter } from '../metrics/routes';
import type { ServiceContext } from '../services/context';
import { accountRoutes } from './accounts/routes';
import { authThrottle } from './authThrottle';
import { requireAdminKey, requireMerchantKey } from './auth';
import { balanceRoutes } from './balances/routes';
import { checkoutSessionReadRoute } from './checkoutSessions/read';
import { checkoutSessionRoutes } from './checkoutSessions/routes';
import { requireJsonPosts } from './contentType';
import { ApiError, errorMiddleware, RETRY_AFTER_SECONDS } from './errors';
import { eventRoutes } from './events/routes';
import type { HealthReport } from './health';
import { idempotency } from './idempotency';
import { methodGuard, skipUnknownPaths } from './methods';
import { cleanInput } from './inputRules';
import { docsRouter } from './docs';
import { openApiRouter } from './openapi';
import { paymentRoutes } from './payments/routes';
import { testHelperRoutes } from './testHelpers/routes';

/** Extra routers mounted by other parts (the payment page, links, webhooks). */
export interface AppExtensions {
  /** Public routes, no auth (the hosted payment page). */
  publicRouters?: Router[];
  /** Merchant routes under the API auth and idempotency, keyed by mount path. */
  merchantRouters?: Record<string, Router>;
}

/** The HTTP app: JSON API (SPEC §2–§8) with auth, idempotency and one error middleware. */
export function createApp(ctx: ServiceContext, health: () => Promise<HealthReport>, ext: AppExtensions = {}): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('trust proxy', ctx.config.trustProxy);
  const metrics = createMetricsRegistry(ctx.db, {
    maxAgeMs: ctx.config.metricsRefreshSeconds * 1000,
    workflowsNeedingAttention: () => withCallDeadline(ctx.temporal, ctx.config.temporalCallTimeoutMs, async () => (await ctx.temporal.workflow.count(
      `WorkflowType = "checkoutSession" AND CheckoutAttention = true AND ExecutionStatus = "Running" AND TaskQueue = "${ctx.config.temporal.taskQueue}"`)).count),
  });
  // A server span per request only when the process traces: with no tracer provider it would make and
  // drop a no-op span per request (bench/README.md, round 7).
  if (ctx.traced) app.use(traceRequests());
  app.use(httpMetricsMiddleware(metrics));
  // The hottest read first, before the routers it would otherwise be matched against (read.ts), and
  // before the method guard, which would only pass it on: GET and HEAD are what this path takes.
  app.get('/checkout-sessions/:id', checkoutSessionReadRoute(ctx));
  app.use(methodGuard(app));

  app.get('/health', async (_req, res) => {
    const report = await health().catch((): HealthReport => ({ ok: false, postgres: 'down', temporal: 'down' }));
    if (!report.ok) res.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
    res.status(report.ok ? 200 : 503).json({ status: report.ok ? 'ok' : 'unavailable', postgres: report.postgres, temporal: report.temporal });
  });
  app.use(openApiRouter(Math.min(300, ctx.config.minTtlSeconds), ctx.config.publicUrl));
  app.use(docsRouter());
  app.use(metricsRouter(metrics, ctx.config.metricsToken));
  for (const router of ext.publicRouters ?? []) app.use(router);

  const admin = ctx.config.adminApiKey;
  // A body is read only after the key is checked (an anonymous client cannot hold a body open on the
  // API), then checked against the edge's string rule before idempotency or any handler sees it.
  // A number a double cannot hold exactly is a 400, not a silently rounded amount (exactNumbers.ts).
  const body = [requireJsonPosts(), express.json({ limit: '100kb', verify: refuseInexactNumbers }), cleanInput(), idempotency(ctx.db, ctx.log)];
  if (admin) {
    const adminRouter = express.Router();
    adminRouter.use(skipUnknownPaths(), requireAdminKey(admin, authThrottle(ctx.config.adminAuthThrottle)), ...body, accountRoutes(ctx));
    app.use('/accounts', adminRouter);
  }

  const merchant = express.Router();
  merchant.use(skipUnknownPaths(), requireMerchantKey(ctx.db), ...body);
  merchant.use('/checkout-sessions', checkoutSessionRoutes(ctx));
  merchant.use('/payments', paymentRoutes(ctx));
  merchant.use('/events', eventRoutes(ctx));
  merchant.use('/test-helpers', testHelperRoutes(ctx));
  merchant.use(balanceRoutes(ctx));
  for (const [path, router] of Object.entries(ext.merchantRouters ?? {})) merchant.use(path, router);
  app.use(merchant);

  app.use(() => { throw new ApiError(404, 'Unrecognized request URL. See the README for the API.', undefined, 'invalid_request_error'); });
  app.use(errorMiddleware(ctx.log));
  return app;
}
