import { timingSafeEqual, createHash } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import { findKeyOwner, type KeyOwner } from '../db/apiKeys';
import type { Db } from '../db/knex';
import type { AuthThrottle } from './authThrottle';
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

/** The secret key of a merchant request (HTTP Basic username), or a 401 when there is none of that shape. */
export function merchantKeyOf(req: Request): string {
  const key = basicUsername(req);
  if (!key || !/^sk_(test|live)_/.test(key)) throw new AuthenticationError();
  return key;
}

/**
 * Authenticates merchant requests by secret key: one indexed lookup of the key's hash per request, so
 * a revoked key is refused by every API process at once (no cache can keep it alive).
 */
export function requireMerchantKey(db: Db): RequestHandler {
  return async (req, _res, next) => {
    const key = merchantKeyOf(req);
    const owner = await findKeyOwner(db, key);
    if (!owner) throw new AuthenticationError();
    req.scope = owner;
    next();
  };
}

/**
 * Authenticates platform-admin requests by `ADMIN_API_KEY` (constant-time comparison). A client over
 * its failed-authentication limit is refused (429) before its key is compared (authThrottle.ts).
 */
export function requireAdminKey(adminKey: string, throttle: AuthThrottle): RequestHandler {
  const expected = createHash('sha256').update(adminKey).digest();
  return async (req, _res, next) => {
    await throttle.check(req);
    const key = basicUsername(req);
    const given = createHash('sha256').update(key ?? '').digest();
    if (!key || !timingSafeEqual(given, expected)) {
      await throttle.fail(req);
      throw new AuthenticationError('Invalid admin key.');
    }
    req.isAdmin = true;
    next();
  };
}

/** The scope of an authenticated merchant request. */
export function scopeOf(req: Request): KeyOwner {
  if (!req.scope) throw new AuthenticationError();
  return req.scope;
}
