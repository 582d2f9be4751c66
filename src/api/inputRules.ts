import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { isObjectId, type IdPrefix } from '../domain/ids';
import { findInputProblem } from '../domain/text';
import { InvalidRequestError, NotFoundError, paramOf } from './errors';

/**
 * The edge's string rule (src/domain/text.ts) on everything a request decoded: the body (values and
 * object keys, at most `MAX_INPUT_DEPTH` levels deep) and the query. Runs before idempotency and
 * every handler, so no schema can forget it, and the idempotency hash never sees a hostile depth.
 */
export function cleanInput(): RequestHandler {
  return (req, _res, next) => {
    const body = findInputProblem(req.body);
    if (body) {
      if (body.kind === 'depth') throw new InvalidRequestError(`The request body ${body.message}.`);
      const param = paramOf(body.path);
      throw new InvalidRequestError(param ? `Invalid ${param}: ${body.message}.` : `Invalid request body: ${body.message}.`, param || undefined);
    }
    const query = findInputProblem(req.query, 2);
    if (query) {
      const param = paramOf(query.path.slice(0, 1));
      throw new InvalidRequestError(param ? `Invalid ${param}: ${query.message}.` : `Invalid query string: ${query.message}.`, param || undefined);
    }
    next();
  };
}

/** An ID as it may be repeated in a message: JSON escapes the rest, length is all that needs a bound. */
export function shownId(value: string): string {
  return value.length > 64 ? `${value.slice(0, 64)}…` : value;
}

/**
 * A malformed path ID is answered like an unknown one, `404 No such <what>` (Stripe does the same),
 * before any query: an ID that cannot exist is not looked up.
 */
export function idParam(prefix: IdPrefix, what: string) {
  return (_req: Request, _res: Response, next: NextFunction, value: string): void => {
    next(isObjectId(prefix, value) ? undefined : new NotFoundError(what, shownId(value)));
  };
}

/** `idParam` as a route's first handler, for routers whose `:id` names different kinds of object. */
export function requireId(prefix: IdPrefix, what: string, name = 'id'): RequestHandler {
  const check = idParam(prefix, what);
  return (req, res, next) => check(req, res, next, String(req.params[name]));
}

