import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';

/**
 * CSRF defence, two layers:
 * 1. The synchronizer-token pattern (OWASP's first choice when the server keeps sessions, as this one
 *    does): a random token per session, stored with the session, rendered into every form as `_csrf`
 *    and compared in constant time on every state-changing request. No library: the session store
 *    already holds the secret, so csrf-csrf's stateless double-submit cookie would add a second secret
 *    and a second cookie for no gain.
 * 2. Fetch metadata: a POST whose `Origin` is not this app's, or marked `Sec-Fetch-Site: cross-site`,
 *    is refused before anything else (this also covers the sign-in form, which has no session yet).
 * SameSite=Lax cookies are a third, browser-side layer.
 */
export function newCsrfToken(): string {
  return randomBytes(24).toString('base64url');
}

/** True when the submitted token equals the session's. */
export function csrfTokenMatches(expected: string, submitted: unknown): boolean {
  if (typeof submitted !== 'string' || submitted.length !== expected.length) return false;
  return timingSafeEqual(Buffer.from(submitted), Buffer.from(expected));
}

/**
 * True when the request may come from this app's own pages: no `Origin` (not a browser, or a
 * same-origin navigation of an old browser) or an `Origin` equal to the public URL's or the request's
 * own host; and not flagged cross-site by the browser.
 */
export function sameOrigin(req: Request, publicUrl: string): boolean {
  if (req.get('sec-fetch-site') === 'cross-site') return false;
  const origin = req.get('origin');
  if (!origin) return true;
  if (origin === 'null') return false;
  return origin === new URL(publicUrl).origin || origin === `${req.protocol}://${req.get('host')}`;
}
