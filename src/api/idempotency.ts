import { createHash, randomBytes } from 'node:crypto';
import type { RequestHandler, Response } from 'express';
import type { Db } from '../db/knex';
import type { Logger } from 'pino';
import {
  claimIdempotencyKey, expireIdempotencyKeys, releaseIdempotencyKey, storeIdempotentResponse, takeOverIdempotencyKey, unlockIdempotencyKey,
} from '../db/idempotency';
import { ApiError, ConflictError, InvalidRequestError, RETRY_AFTER_SECONDS } from './errors';
import { unavailableDependency } from './unavailable';

const KEY_LIFETIME_MS = 24 * 60 * 60 * 1000;

declare module 'express-serve-static-core' {
  interface Request {
    /**
     * A seed fixed per Idempotency-Key (random per request without one). Handlers derive the IDs of
     * what they create from it, so a retry after a crash creates the same objects, not new ones.
     */
    idempotencySeed?: string;
    /** The seed was made for this request (no key, or a key claimed just now): nothing can exist under it yet. */
    idempotencySeedIsNew?: boolean;
  }
}

/** How long a request holds its key: longer than any handler runs (create waits up to ~16 s). */
const LOCK_MS = 60_000;

/** Another request with this key is running: answered at once rather than run twice. */
export class IdempotencyInProgressError extends ApiError {
  constructor() {
    super(409, 'A request with this Idempotency-Key is still in progress; retry in a moment with the same key.', 'Idempotency-Key', 'idempotency_error');
  }
}

/**
 * SPEC §2 idempotency for POSTs: the same key and body within 24 h replays the first response and
 * does nothing again; the same key with another body is a 409. While a request runs it holds the key
 * (a concurrent one gets a 409 "in progress", never a second run). A 4xx releases the key (handlers
 * refuse before they act, so a corrected retry may use it); a 5xx keeps it with its seed, unlocked, so
 * the retry finds what the first attempt may have started (the same session, not a second one).
 */
export function idempotency(db: Db, log?: Logger): RequestHandler {
  return async (req, res, next) => {
    if (req.method !== 'POST') return next();
    const key = req.header('idempotency-key');
    if (key === undefined) {
      req.idempotencySeed = randomBytes(16).toString('hex');
      req.idempotencySeedIsNew = true;
      return next();
    }
    if (key.length === 0 || key.length > 255) throw new InvalidRequestError('Idempotency-Key must be 1-255 characters.', 'Idempotency-Key');
    const owner = req.isAdmin ? 'admin' : `${req.scope!.accountId}:${req.scope!.livemode ? 'live' : 'test'}`;
    const requestHash = createHash('sha256').update(`${req.method} ${req.originalUrl}\n${JSON.stringify(req.body ?? null)}`).digest('hex');
    const now = Date.now();
    const claim = () => claimIdempotencyKey(db, {
      owner, key, request_hash: requestHash, seed: randomBytes(16).toString('hex'), created: String(now), locked_until: String(now + LOCK_MS),
    });
    let { row, claimed } = await claim();
    // A key past its 24 h is forgotten and claimed afresh: checked after the claim, so a new key costs no extra round trip.
    if (!claimed && Number(row.created) < now - KEY_LIFETIME_MS) {
      await expireIdempotencyKeys(db, owner, key, now - KEY_LIFETIME_MS);
      ({ row, claimed } = await claim());
    }
    if (row.request_hash !== requestHash) {
      throw new ConflictError('This Idempotency-Key was already used with a different request. Use a new key for a new request.');
    }
    if (row.response_status !== null) {
      res.setHeader('Idempotent-Replayed', 'true');
      res.status(row.response_status).json(row.response_body);
      return;
    }
    if (!claimed) {
      const taken = await takeOverIdempotencyKey(db, owner, key, now, now + LOCK_MS);
      if (!taken) {
        res.setHeader('Retry-After', '1');
        throw new IdempotencyInProgressError();
      }
      row = taken;
    }
    req.idempotencySeed = row.seed;
    req.idempotencySeedIsNew = claimed;
    captureResponse(res, log, async (status, body) => {
      if (status >= 200 && status < 300) await storeIdempotentResponse(db, owner, key, status, withoutSecrets(body));
      else if (status < 500) await releaseIdempotencyKey(db, owner, key);
      else await unlockIdempotencyKey(db, owner, key);
    });
    next();
  };
}

const SECRET_FIELDS = ['secret_key', 'secret'];

/**
 * Secrets are shown once: the stored copy of a response (kept 24 h for replays) carries a marker in
 * their place, so no plain key or webhook secret rests in the idempotency table.
 */
function withoutSecrets(body: unknown): unknown {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return body;
  const copy: Record<string, unknown> = { ...(body as Record<string, unknown>) };
  for (const field of SECRET_FIELDS) if (typeof copy[field] === 'string') copy[field] = '(shown once; not replayed)';
  return copy;
}

/** Calls `store` with the JSON body before it is sent, so a replay is possible once the client has it. */
function captureResponse(res: Response, log: Logger | undefined, store: (status: number, body: unknown) => Promise<void>): void {
  const send = res.json.bind(res);
  res.json = ((body: unknown) => {
    store(res.statusCode, body).then(() => send(body), (err) => {
      // The database's words stay in the log; the client learns only that retrying with the key is safe.
      // The database gone between the work and this write is an outage like any other: 503 + Retry-After.
      const down = unavailableDependency(err) !== null;
      log?.[down ? 'warn' : 'error']({ err }, 'could not record an idempotent response');
      if (down) res.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
      res.status(down ? 503 : 500);
      send({ errors: [{ type: 'api_error', message: 'Something went wrong on our side; it is safe to retry with the same Idempotency-Key.' }] });
    });
    return res;
  }) as Response['json'];
}
