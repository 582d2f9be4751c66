import type { Request, RequestHandler } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import { ApiError } from '../api/errors';

/** A client (or a target) exceeded its rate: 429 with `Retry-After`, rendered as a page or JSON by the router's error handler. */
export class TooManyRequestsError extends ApiError {
  constructor() {
    super(429, 'Too many requests. Please wait a moment and try again.', undefined, 'rate_limit_error');
  }
}

/** Requests per minute allowed by the public limits (SPEC-silent; configurable). */
export interface RateLimitSettings {
  /** Per client IP, across the public page's costly actions. */
  perIpPerMinute: number;
  /** Per payment link (new sessions) and per session (page POSTs, simulated payments). */
  perTargetPerMinute: number;
  /** Per payment, on the authenticated simulator (`/test-helpers/payments/{id}/receive`). */
  simulatorPerPaymentPerMinute: number;
}

/**
 * One fixed-window limiter (express-rate-limit, in-memory per API process: with N replicas a client
 * gets up to N times the rate, still bounded). Over the limit, `Retry-After` says when the window resets.
 */
export function limiter(name: string, limit: number, key: (req: Request) => string): RequestHandler {
  return rateLimit({
    windowMs: 60_000,
    limit,
    identifier: name,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    keyGenerator: key,
    handler: (_req, _res, next) => next(new TooManyRequestsError()),
    // Behind a proxy, TRUST_PROXY decides whose address `req.ip` is; the library's console warnings add nothing.
    validate: { xForwardedForHeader: false, trustProxy: false },
  });
}

/** The client's address as the limits see it (an IPv6 client by its /56, so one host cannot rotate through its subnet). */
export function clientKey(req: Request): string {
  return ipKeyGenerator(req.ip ?? 'unknown');
}

/** The public page's limiters, made once per app so their counters are shared by its routes. */
export function publicLimiters(settings: RateLimitSettings) {
  return {
    perIp: limiter('public-ip', settings.perIpPerMinute, clientKey),
    perLink: limiter('payment-link', settings.perTargetPerMinute, (req) => `link:${String(req.params.id)}`),
    perSession: limiter('session', settings.perTargetPerMinute, (req) => `session:${String(req.params.id)}`),
  };
}

/** Limiters of the page's routes. */
export type PublicLimiters = ReturnType<typeof publicLimiters>;
