import type { Request, RequestHandler } from 'express';
import { ApiError } from './errors';

/** A POST whose body is not declared JSON: refused before it can act. */
export class UnsupportedMediaTypeError extends ApiError {
  constructor() {
    super(415, 'A POST with a body must send it as Content-Type: application/json (a POST without a body needs no Content-Type).', 'Content-Type');
  }
}

/** True when the request announces no body: no `Transfer-Encoding`, and no or a zero `Content-Length`. */
function hasNoBody(req: Request): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] === undefined && (length === undefined || length.trim() === '0');
}

/**
 * Every API POST that carries a body must declare it JSON. A browser can send a cross-site form or a
 * `no-cors` fetch only as `application/x-www-form-urlencoded`, `multipart/form-data` or `text/plain`
 * (anything else needs a CORS preflight we never grant), so this closes cross-site request forgery
 * against a merchant whose browser holds the key: such a request is refused whatever it carries, even
 * an empty form. A POST without any body (curl `-X POST`, a generated client's deactivate or revoke)
 * is accepted with no Content-Type or a JSON one, as an empty JSON object: nothing in it can forge a
 * form, and the API never sends a `WWW-Authenticate` challenge through which a browser would learn a
 * key to send on its own. The hosted payment page is not behind this router.
 */
export function requireJsonPosts(): RequestHandler {
  return (req, _res, next) => {
    if (req.method !== 'POST') return next();
    const declared = req.headers['content-type'];
    const declaredJson = declared !== undefined && declared.split(';')[0].trim().toLowerCase() === 'application/json';
    if (hasNoBody(req) && (declared === undefined || declaredJson)) return next();
    if (req.is('application/json')) return next();
    throw new UnsupportedMediaTypeError();
  };
}
