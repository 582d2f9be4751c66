import type { Request } from 'express';
import { ipKeyGenerator, MemoryStore, type Options } from 'express-rate-limit';
import { ApiError } from './errors';

/** A client made too many failed authentications: 429 with `Retry-After` (seconds until its window resets). */
export class TooManyFailedAuthenticationsError extends ApiError {
  constructor(readonly retryAfterSeconds: number) {
    super(429, `Too many failed authentications from this client; retry after ${retryAfterSeconds} s.`, undefined, 'rate_limit_error');
  }
}

/** Failed authentications allowed per client and window. */
export interface AuthThrottleSettings {
  maxFailures: number;
  windowMs: number;
}

/**
 * Counts failed authentications per client (express-rate-limit's fixed-window store, in memory per API
 * process). Only failures are counted, so a busy admin is never slowed; once a client reaches the limit
 * every request of it is refused before its key is even compared, so a guess cannot be confirmed by a
 * different answer while limited. Successes do not reset the count: an attacker who also holds a valid
 * key (or one that shares the client's address) cannot clear its own record.
 */
export function authThrottle(settings: AuthThrottleSettings) {
  const store = new MemoryStore();
  store.init({ windowMs: settings.windowMs } as Options);
  const keyOf = (req: Request) => ipKeyGenerator(req.ip ?? 'unknown');
  return {
    /** Throws when this client is over its failure limit. */
    async check(req: Request): Promise<void> {
      const info = await store.get(keyOf(req));
      if (info && info.totalHits >= settings.maxFailures) {
        const resetAt = info.resetTime?.getTime() ?? Date.now() + settings.windowMs;
        throw new TooManyFailedAuthenticationsError(Math.max(1, Math.ceil((resetAt - Date.now()) / 1000)));
      }
    },
    /** Records one failed authentication of this client. */
    async fail(req: Request): Promise<void> {
      await store.increment(keyOf(req));
    },
  };
}

/** One throttle per app, shared by the routes it guards. */
export type AuthThrottle = ReturnType<typeof authThrottle>;
