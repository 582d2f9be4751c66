import type { RequestHandler } from 'express';
import { ApiError } from './errors';

/** A POST whose body is not declared JSON: refused before it can act. */
export class UnsupportedMediaTypeError extends ApiError {
  constructor() {
    super(415, 'POST requests must send Content-Type: application/json (an empty body is fine).', 'Content-Type');
  }
}

/**
 * Every API POST must declare a JSON body, even an empty one. A browser can send a cross-site form or a
 * `no-cors` fetch only as `application/x-www-form-urlencoded`, `multipart/form-data` or `text/plain`
 * (anything else needs a CORS preflight we never grant), so this closes cross-site request forgery
 * against a merchant whose browser holds the key. The hosted payment page is not behind this router.
 */
export function requireJsonPosts(): RequestHandler {
  return (req, _res, next) => {
    if (req.method === 'POST' && !req.is('application/json')) throw new UnsupportedMediaTypeError();
    next();
  };
}
