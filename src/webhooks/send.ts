/**
 * One delivery attempt: POST the signed body to the endpoint and report what happened. Failures of the
 * receiver (refused, timed out, non-2xx, redirect, blocked address) are results, not exceptions, so the
 * Temporal activity decides about retries from data; only caller bugs throw.
 */
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { performance } from 'node:perf_hooks';
import { InvalidWebhookUrlError, WebhookArgumentError, WebhookDnsError } from './errors';
import { resolveAndCheck, type CheckedDestination, type HostResolver } from './destination';
import { retryAfterMs } from './retryAfter';

/** `user-agent` of every delivery, so receivers can tell our requests apart in their logs. */
export const WEBHOOK_USER_AGENT = 'temporal-btc-checkout-webhooks/0.1';

/** Input of one delivery attempt; `headers` are normally the output of `signWebhook`. */
export interface SendWebhookInput {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  /** The operator opened private networks (`WEBHOOK_ALLOW_PRIVATE_NETWORKS`); default: public only. */
  allowPrivateNetworks?: boolean;
  maxResponseBytes?: number;
  /** Replaces `dns.lookup`, e.g. to test DNS answers; connections always use the checked addresses. */
  resolver?: HostResolver;
  /**
   * The caller's cancellation (a shutting-down worker's): aborts the attempt at once and rejects with
   * the signal's reason. Not a failed attempt: nothing is reported for the delivery log.
   */
  signal?: AbortSignal;
}

/** Why an attempt failed, for retry decisions and the delivery log. */
export type WebhookFailureKind = 'invalid_url' | 'dns' | 'network' | 'timeout' | 'redirect' | 'http_status';

/** Outcome of one attempt; `ok` is true exactly for a 2xx final status. */
export interface WebhookAttemptResult {
  ok: boolean;
  status: number | null;
  durationMs: number;
  error: string | null;
  errorKind: WebhookFailureKind | null;
  /** The start of the receiver's answer (up to `maxResponseBytes`). */
  responseSnippet: string;
  /** Every address connected to was public; false when private networks are allowed and one was used. */
  publicDestination: boolean;
  /** The receiver's `Retry-After` as a delay in ms (clamped), or null: the normal backoff applies. */
  retryAfterMs: number | null;
}

interface RawResponse {
  status: number;
  location: string | undefined;
  retryAfter: string | undefined;
  snippet: string;
}

function assertInput(input: SendWebhookInput, maxResponseBytes: number): void {
  const bad = (what: string): never => {
    throw new WebhookArgumentError(`sendWebhook: ${what}`);
  };
  if (typeof input.url !== 'string') bad('url must be a string');
  if (typeof input.body !== 'string') bad('body must be a string');
  if (input.allowPrivateNetworks !== undefined && typeof input.allowPrivateNetworks !== 'boolean') bad('allowPrivateNetworks must be a boolean');
  if (!Number.isFinite(input.timeoutMs) || input.timeoutMs <= 0) bad('timeoutMs must be a positive number');
  if (!Number.isInteger(maxResponseBytes) || maxResponseBytes < 0) bad('maxResponseBytes must be an integer >= 0');
  for (const [name, value] of Object.entries(input.headers ?? bad('headers are required'))) {
    if (typeof value !== 'string') bad(`header ${name} must be a string`);
  }
}

// Hands node:http the addresses we already checked, so a second DNS answer (rebinding) cannot differ.
function pinnedLookup(dest: CheckedDestination): LookupFunction {
  return (_hostname, options, callback) => {
    const cb = callback as (...args: unknown[]) => void;
    if ((options as { all?: boolean }).all) cb(null, dest.addresses);
    else cb(null, dest.addresses[0].address, dest.addresses[0].family);
  };
}

// Rejects on abort without leaving the raced promise's later rejection unhandled.
function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  promise.catch(() => undefined);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function post(dest: CheckedDestination, input: SendWebhookInput, maxBytes: number, signal: AbortSignal) {
  const { url } = dest;
  const client = url.protocol === 'https:' ? https : http;
  return new Promise<RawResponse>((resolve, reject) => {
    const req = client.request({
      method: 'POST',
      protocol: url.protocol,
      hostname: dest.hostname,
      port: url.port || undefined,
      path: `${url.pathname}${url.search}`,
      auth: url.username ? `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}` : undefined,
      agent: false, // fresh connection per attempt: no pooled socket to an address checked earlier
      lookup: pinnedLookup(dest),
      headers: {
        ...input.headers,
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(input.body).toString(),
        'user-agent': WEBHOOK_USER_AGENT,
      },
    });
    const onAbort = (): void => {
      req.destroy(signal.reason as Error);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    req.on('error', (err) => {
      signal.removeEventListener('abort', onAbort);
      reject(err);
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let done = false;
      // Whatever ends the body (limit, end, error, deadline), the status already decides the outcome.
      const finish = (): void => {
        if (done) return;
        done = true;
        signal.removeEventListener('abort', onAbort);
        signal.removeEventListener('abort', finish);
        res.destroy();
        req.destroy();
        const status = res.statusCode ?? 0;
        resolve({ status, location: res.headers.location, retryAfter: res.headers['retry-after'], snippet: Buffer.concat(chunks).toString('utf8') });
      };
      signal.removeEventListener('abort', onAbort);
      signal.addEventListener('abort', finish, { once: true });
      if (maxBytes === 0) return finish();
      res.on('data', (chunk: Buffer) => {
        const room = maxBytes - size;
        chunks.push(chunk.length > room ? chunk.subarray(0, room) : chunk);
        size += Math.min(chunk.length, room);
        if (size >= maxBytes) finish(); // stop reading: destroying the socket is the only real "stop"
      });
      res.on('end', finish);
      res.on('error', finish);
      res.on('close', finish);
    });
    req.end(input.body);
  });
}

function describeFailure(err: unknown, timedOut: boolean, timeoutMs: number): [WebhookFailureKind, string] | null {
  if (timedOut) return ['timeout', `timed out after ${timeoutMs} ms`];
  if (err instanceof InvalidWebhookUrlError) return ['invalid_url', err.message];
  if (err instanceof WebhookDnsError) return ['dns', err.message];
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  // Socket, TLS and HTTP-parser failures all carry a string code; anything else is a bug in this file.
  if (typeof code === 'string') return ['network', `${code}: ${(err as Error).message}`];
  return null;
}

/** POSTs one webhook (no redirects, bounded time and response size) and reports the outcome; never throws on delivery failure. */
export async function sendWebhook(input: SendWebhookInput): Promise<WebhookAttemptResult> {
  const maxResponseBytes = input.maxResponseBytes ?? 4096;
  assertInput(input, maxResponseBytes);
  const started = performance.now();
  const elapsed = (): number => Math.round(performance.now() - started);
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error('webhook attempt timed out')), input.timeoutMs);
  const signal = input.signal ? AbortSignal.any([controller.signal, input.signal]) : controller.signal;
  try {
    const dest = await raceAbort(
      resolveAndCheck(input.url, { allowPrivateNetworks: input.allowPrivateNetworks ?? false, resolver: input.resolver }),
      signal,
    );
    const res = await post(dest, input, maxResponseBytes, signal);
    const base = {
      status: res.status, durationMs: elapsed(), responseSnippet: res.snippet, publicDestination: dest.isPublic,
      retryAfterMs: res.status >= 300 ? retryAfterMs(res.retryAfter, Date.now()) : null,
    };
    if (res.status >= 200 && res.status < 300) return { ...base, ok: true, error: null, errorKind: null };
    if (res.status >= 300 && res.status < 400) {
      const to = res.location ? ` to ${res.location.slice(0, 200)}` : '';
      return { ...base, ok: false, error: `redirect not followed: HTTP ${res.status}${to}`, errorKind: 'redirect' };
    }
    return { ...base, ok: false, error: `HTTP ${res.status}`, errorKind: 'http_status' };
  } catch (err) {
    if (input.signal?.aborted) throw input.signal.reason;
    const failure = describeFailure(err, controller.signal.aborted, input.timeoutMs);
    if (!failure) throw err;
    const [errorKind, error] = failure;
    return { ok: false, status: null, durationMs: elapsed(), error, errorKind, responseSnippet: '', publicDestination: false, retryAfterMs: null };
  } finally {
    clearTimeout(timer);
  }
}
