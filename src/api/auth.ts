import { timingSafeEqual, createHash } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import { findKeyOwner, type KeyOwner } from '../db/apiKeys';
import type { Db } from '../db/knex';
import { AuthenticationError } from './errors';

declare module 'express-serve-static-core' {
  interface Request {
    /** The account and mode of the secret key that authenticated the request. */
    scope?: KeyOwner;
    /** True when the platform admin key authenticated the request. */
    isAdmin?: boolean;
  }
}

/** The username of an HTTP Basic `Authorization` header (the secret key), or null. */
export function basicUsername(req: Request): string | null {
  const header = req.headers.authorization;
  if (!header?.startsWith('Basic ')) return null;
  const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon === -1 ? decoded : decoded.slice(0, colon);
}

const KEY_CACHE_MS = 30_000;

/**
 * Authenticates merchant requests by secret key. Lookups are cached briefly in memory (keyed by the
 * key's hash) so hot read paths do not pay a database round trip per request.
 */
export function requireMerchantKey(db: Db): RequestHandler {
  const cache = new Map<string, { owner: KeyOwner; until: number }>();
  return async (req, _res, next) => {
    const key = basicUsername(req);
    if (!key || !/^sk_(test|live)_/.test(key)) throw new AuthenticationError();
    const cacheKey = createHash('sha256').update(key).digest('hex');
    const hit = cache.get(cacheKey);
    let owner = hit && hit.until > Date.now() ? hit.owner : undefined;
    if (!owner) {
      owner = await findKeyOwner(db, key);
      if (!owner) throw new AuthenticationError();
      if (cache.size > 10_000) cache.clear();
      cache.set(cacheKey, { owner, until: Date.now() + KEY_CACHE_MS });
    }
    req.scope = owner;
    next();
  };
}

/** Authenticates platform-admin requests by `ADMIN_API_KEY` (constant-time comparison). */
export function requireAdminKey(adminKey: string): RequestHandler {
  const expected = createHash('sha256').update(adminKey).digest();
  return (req, _res, next) => {
    const key = basicUsername(req);
    const given = createHash('sha256').update(key ?? '').digest();
    if (!key || !timingSafeEqual(given, expected)) throw new AuthenticationError('Invalid admin key.');
    req.isAdmin = true;
    next();
  };
}

/** The scope of an authenticated merchant request. */
export function scopeOf(req: Request): KeyOwner {
  if (!req.scope) throw new AuthenticationError();
  return req.scope;
}
