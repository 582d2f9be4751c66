import { timingSafeEqual } from 'node:crypto';
import { Router, type Request } from 'express';
import { collectDefaultMetrics, Registry } from 'prom-client';
import type { DbOrTx } from '../db/knex';
import { registerBusinessMetrics, type BusinessMetricsOptions } from './businessMetrics';

/** One registry per app: process metrics, HTTP latencies (added by the middleware) and the money-path gauges and counters. */
export function createMetricsRegistry(db: DbOrTx, business: BusinessMetricsOptions): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  registerBusinessMetrics(registry, db, business);
  return registry;
}

/**
 * `GET /metrics` in Prometheus format. With METRICS_TOKEN set a scraper sends
 * `Authorization: Bearer <token>`; without it only a direct loopback client is answered (a scraper on
 * the same host or in the same pod), so business figures never leak to the internet by default.
 * A same-host reverse proxy also connects from loopback, so a request that carries any forwarding
 * header is not direct and is refused whatever `trust proxy` says.
 */
export function metricsRouter(registry: Registry, token: string | undefined): Router {
  const router = Router();
  router.get('/metrics', async (req, res) => {
    if (!allowed(req, token)) {
      res.status(token ? 401 : 403).json({ errors: [{ type: 'authentication_error', message: token
        ? 'Send the METRICS_TOKEN as a Bearer token.'
        : 'Metrics are served only to direct loopback clients (no proxy forwarding headers) unless METRICS_TOKEN is set.' }] });
      return;
    }
    res.type(registry.contentType).send(await registry.metrics());
  });
  return router;
}

function allowed(req: Request, token: string | undefined): boolean {
  if (token) {
    const given = Buffer.from(/^Bearer (.+)$/.exec(req.get('authorization') ?? '')?.[1] ?? '');
    const want = Buffer.from(token);
    return given.length === want.length && timingSafeEqual(given, want);
  }
  if (FORWARDING_HEADERS.some((h) => req.get(h) !== undefined)) return false;
  const ip = req.socket.remoteAddress ?? '';
  return ip === '127.0.0.1' || ip === '::1' || ip === '::ffff:127.0.0.1';
}

/** Headers a reverse proxy adds; their presence means the loopback peer is relaying someone else. */
const FORWARDING_HEADERS = ['forwarded', 'x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto', 'x-real-ip', 'via'];
