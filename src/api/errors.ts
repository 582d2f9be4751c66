import type { ErrorRequestHandler } from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';
import { UnknownCursorError } from '../db/pagination';
import { BusyError, CheckoutError, type ErrorKind } from '../domain/errors';
import { unavailableDependency } from './unavailable';

/** Seconds a client is asked to wait before retrying a 503 (a restart of PostgreSQL or Temporal). */
export const RETRY_AFTER_SECONDS = 5;

/** An error the API answers with a 4xx and a message (SPEC §2 error body). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly param?: string,
    readonly type: string = 'invalid_request_error',
    /** A machine-readable reason where one is defined (e.g. `insufficient_funds`). */
    readonly code?: string,
  ) {
    super(message);
  }
}

export class InvalidRequestError extends ApiError {
  constructor(message: string, param?: string) { super(400, message, param); }
}
export class NotFoundError extends ApiError {
  constructor(what: string, id: string) { super(404, `No such ${what}: '${id}'`, 'id'); }
}
export class AuthenticationError extends ApiError {
  constructor(message = 'Invalid API key provided. Use HTTP Basic auth with your secret key as the username.') {
    super(401, message, undefined, 'authentication_error');
  }
}
export class ServiceUnavailableError extends ApiError {
  constructor(message: string, readonly retryAfterSeconds = RETRY_AFTER_SECONDS) { super(503, message, undefined, 'api_error'); }
}
export class ConflictError extends ApiError {
  constructor(message: string) { super(409, message, undefined, 'idempotency_error'); }
}
/** Each business error kind's HTTP status and SPEC §2 error type: the one place a kind becomes HTTP. */
const HTTP_OF_KIND: Record<Exclude<ErrorKind, 'unavailable'>, { status: number; type: string }> = {
  invalid_data: { status: 400, type: 'invalid_request_error' },
  not_found: { status: 404, type: 'invalid_request_error' },
  not_allowed: { status: 403, type: 'permission_error' },
  conflict: { status: 409, type: 'invalid_request_error' },
  gone: { status: 410, type: 'invalid_request_error' },
  insufficient_funds: { status: 400, type: 'insufficient_funds' },
  busy: { status: 429, type: 'rate_limit_error' },
};

/** An error answered with `Retry-After` (the error middlewares set it from `retryAfterSeconds`). */
export class RetryLaterError extends ApiError {
  constructor(status: number, message: string, type: string, readonly retryAfterSeconds: number) { super(status, message, undefined, type); }
}

/**
 * The HTTP form of an error the edge answers itself: an ApiError as it is, a CheckoutError (thrown by
 * the services) by its kind; null for anything else (an unexpected error or a dependency's).
 */
export function toApiError(err: unknown): ApiError | null {
  if (err instanceof ApiError) return err;
  if (!(err instanceof CheckoutError)) return null;
  if (err.kind === 'unavailable') return new ServiceUnavailableError(err.message);
  if (err instanceof BusyError) return new RetryLaterError(429, err.message, 'rate_limit_error', err.retryAfterSeconds);
  const { status, type } = HTTP_OF_KIND[err.kind];
  return new ApiError(status, err.message, err.param, type, err.code);
}

/** `transfers[0].percentage` from a zod path. */
export function paramOf(path: ReadonlyArray<PropertyKey>): string {
  return path.reduce<string>((acc, part) => (typeof part === 'number' ? `${acc}[${part}]` : acc ? `${acc}.${String(part)}` : String(part)), '');
}

/**
 * The first zod issue of a failed parse as an InvalidRequestError naming its field. Expects the parse
 * to have used `apiErrorMap` (see `parseOr400`), whose words the messages are.
 */
export function fromZodError(error: z.ZodError, prefix: PropertyKey[] = []): InvalidRequestError {
  const issue = error.issues[0];
  if (issue.code === 'unrecognized_keys') {
    const param = paramOf([...prefix, ...issue.path, issue.keys[0]]);
    return new InvalidRequestError(`Received unknown parameter: ${param}`, param);
  }
  // A bad key is reported on the object that holds it: the key may be empty or unprintable.
  const path = issue.code === 'invalid_key' ? issue.path.slice(0, -1) : issue.path;
  const param = paramOf([...prefix, ...path]);
  const message = issue.code === 'invalid_type' && issue.message === 'is required'
    ? `Missing required param: ${param}.`
    : `Invalid ${param || 'request'}: ${issue.message}`;
  return new InvalidRequestError(message, param || undefined);
}

/**
 * The router could not percent-decode a path segment (`%ED%A0%80`, a lone surrogate's UTF-8, or a
 * stray `%`): no object has such an ID, so it is answered as a URL that names nothing (404).
 */
export function isUndecodablePath(err: unknown): boolean {
  return err instanceof URIError;
}

/** Maps thrown errors to SPEC §2 error bodies; anything unexpected is a logged 500. */
export function errorMiddleware(log: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    err = toApiError(err) ?? err;
    const down = err instanceof ApiError ? null : unavailableDependency(err);
    if (down) {
      log.warn({ err, method: req.method, path: req.path, dependency: down }, 'dependency unavailable; answered 503');
      err = new ServiceUnavailableError(down === 'database'
        ? 'The database is unavailable right now; retry shortly with the same Idempotency-Key.'
        : 'The workflow service is unavailable or did not answer in time; retry shortly with the same Idempotency-Key.');
    }
    if (isUndecodablePath(err)) err = new ApiError(404, 'Unrecognized request URL: a path segment is not valid percent-encoded UTF-8.');
    if (err instanceof UnknownCursorError) err = new ApiError(404, `No such object in this list: '${err.id}'`, err.param, 'invalid_request_error', 'resource_missing');
    if (err instanceof ApiError) {
      const retryAfter = (err as { retryAfterSeconds?: unknown }).retryAfterSeconds;
      if (typeof retryAfter === 'number') res.setHeader('Retry-After', String(retryAfter));
      // No `WWW-Authenticate: Basic` challenge: a browser would prompt for the key and then send it on
      // its own with every request to this origin, cross-site forms included.
      res.status(err.status).json({ errors: [{ type: err.type, message: err.message, ...(err.param ? { param: err.param } : {}), ...(err.code ? { code: err.code } : {}) }] });
      return;
    }
    if (err?.type === 'entity.parse.failed') {
      res.status(400).json({ errors: [{ type: 'invalid_request_error', message: 'The request body is not valid JSON.' }] });
      return;
    }
    if (err?.type === 'entity.too.large') {
      res.status(413).json({ errors: [{ type: 'invalid_request_error', message: 'The request body is too large.' }] });
      return;
    }
    log.error({ err, method: req.method, path: req.path }, 'unhandled API error');
    res.status(500).json({ errors: [{ type: 'api_error', message: 'Something went wrong on our side; it is safe to retry with the same Idempotency-Key.' }] });
  };
}
