import { randomBytes } from 'node:crypto';
import { parse, serialize } from 'cookie';
import type { Request, RequestHandler, Response } from 'express';
import { ApiError } from '../../api/errors';
import type { Scope } from '../../db/sessions';
import type { ServiceContext } from '../../services/context';
import { findSignedIn, insertSession, deleteExpiredSessions, type SignedIn } from '../db/sessions';
import { tokenHash } from '../users';
import { csrfTokenMatches, newCsrfToken, sameOrigin } from './csrf';
import { can, type Permission } from './roles';

declare module 'express-serve-static-core' {
  interface Request {
    /** The dashboard user and session of a signed-in request. */
    dashboard?: SignedIn;
  }
}

/** A session lasts this long from sign-in (absolute: an idle or active session ends all the same). */
export const SESSION_TTL_MS = 12 * 3_600_000;

/** Refused: not signed in (a browser is sent to the sign-in page instead). */
export class SignInRequired extends ApiError {
  constructor() { super(401, 'Sign in to use the dashboard.', undefined, 'authentication_error'); }
}

/** Refused: signed in, but the role does not allow this, or the request failed the CSRF checks. */
export class Forbidden extends ApiError {
  constructor(message = 'Your role does not allow this action.') { super(403, message, undefined, 'permission_error'); }
}

/**
 * The cookie: HttpOnly (no script reads it), SameSite=Lax (never sent on another site's POST), and
 * behind HTTPS Secure with the `__Host-` prefix (no subdomain or plain-HTTP page can set or shadow it).
 */
function cookieName(secure: boolean): string {
  return secure ? '__Host-dashboard' : 'dashboard_session';
}

function isSecure(ctx: ServiceContext, req: Request): boolean {
  return req.secure || ctx.config.publicUrl.startsWith('https://');
}

/** Starts a session for `userId` and sets its cookie. */
export async function startSession(ctx: ServiceContext, req: Request, res: Response, userId: string): Promise<void> {
  const token = randomBytes(32).toString('base64url');
  const now = Date.now();
  await deleteExpiredSessions(ctx.db, userId, now);
  await insertSession(ctx.db, { token_hash: tokenHash(token), user_id: userId, csrf_token: newCsrfToken(), created: now, expires_at: now + SESSION_TTL_MS });
  const secure = isSecure(ctx, req);
  res.append('set-cookie', serialize(cookieName(secure), token, {
    httpOnly: true, sameSite: 'lax', secure, path: '/', maxAge: SESSION_TTL_MS / 1000,
  }));
}

/** Clears the session cookie. */
export function clearSessionCookie(ctx: ServiceContext, req: Request, res: Response): void {
  const secure = isSecure(ctx, req);
  res.append('set-cookie', serialize(cookieName(secure), '', { httpOnly: true, sameSite: 'lax', secure, path: '/', maxAge: 0 }));
}

/** Reads the session cookie (one joined statement for session and user); sets `req.dashboard` when valid. */
export function loadSession(ctx: ServiceContext): RequestHandler {
  return async (req, _res, next) => {
    const cookies = parse(req.headers.cookie ?? '');
    const token = cookies[cookieName(isSecure(ctx, req))];
    if (token) req.dashboard = await findSignedIn(ctx.db, tokenHash(token), Date.now());
    next();
  };
}

/**
 * Every state-changing request: refused (403) when it comes from another origin, and, once signed in,
 * unless it carries the session's CSRF token (form field `_csrf` or header `x-csrf-token`).
 */
export function checkCsrf(ctx: ServiceContext): RequestHandler {
  return (req, _res, next) => {
    if (req.method === 'GET' || req.method === 'HEAD') return next();
    if (!sameOrigin(req, ctx.config.publicUrl)) throw new Forbidden('Cross-origin request refused.');
    // A multipart body is parsed by its route only (an upload route), which checks the token right after
    // parsing with `checkCsrfToken`; any other route refuses multipart.
    if (req.is('multipart/form-data')) {
      if (MULTIPART_ROUTES.has(req.path)) return next();
      throw new Forbidden('This form cannot be sent as a file upload.');
    }
    checkCsrfToken(req);
    next();
  };
}

/** The routes that take a multipart body (and check its CSRF token once parsed). */
const MULTIPART_ROUTES = new Set(['/settings/branding']);

/** Refuses (403) a signed-in request whose form field `_csrf` (or header `x-csrf-token`) is not the session's token. */
export function checkCsrfToken(req: Request): void {
  if (!req.dashboard) return;
  const submitted = (req.body as Record<string, unknown> | undefined)?._csrf ?? req.get('x-csrf-token');
  if (!csrfTokenMatches(req.dashboard.csrfToken, submitted)) throw new Forbidden('The form expired or came from elsewhere; reload the page and try again.');
}

/** Signed in, any role (401 otherwise). */
export const requireSignedIn: RequestHandler = (req, _res, next) => {
  if (!req.dashboard) throw new SignInRequired();
  next();
};

/** Signed in, with `permission` (401 otherwise, or 403 for a role without it). */
export function requirePermission(permission: Permission): RequestHandler {
  return (req, _res, next) => {
    if (!req.dashboard) throw new SignInRequired();
    if (!can(req.dashboard.user.role, permission)) throw new Forbidden();
    next();
  };
}

/** The signed-in session of a request that passed `requirePermission`. */
export function signedIn(req: Request): SignedIn {
  if (!req.dashboard) throw new SignInRequired();
  return req.dashboard;
}

/** The account and mode every read and write of a merchant page is scoped to. */
export function scopeOfUser(req: Request): Scope {
  const s = signedIn(req);
  if (!s.user.account_id) throw new Forbidden('The platform admin has no merchant account; use the Platform pages.');
  return { accountId: s.user.account_id, livemode: s.livemode };
}
