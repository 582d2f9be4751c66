import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { base64 } from '@scure/base';
import type { Logger } from 'pino';
import { backoffDelay, readableChunks, sleep, streamLines, type BackoffOptions } from './httpStream';
import { InvalidInvoiceError, InvalidInvoiceRequestError, LndRequestError } from './errors';
import { decodeAndVerifyInvoice } from './invoice';
import type { BitcoinNetwork } from './network';
import { isValidAddress } from './onchain';
import { pinnedFetch, type FetchLike } from './pinnedFetch';
import type { CreateInvoiceRequest, CreatedInvoice, LightningNode, SettledInvoice } from './lightning';
import { invoiceRequestProblem } from './lightning';
import { base64HashToHex, isSettled, parseSubscriptionLine, settleIndexOf, toSettledInvoice, type LndInvoiceJson } from './lndInvoiceJson';

/** Connection settings of {@link LndRestNode}. */
export interface LndRestNodeOptions {
  /** LND's REST endpoint, e.g. `https://lnd:8080` (`LND_REST_URL`). */
  url: string;
  /** Invoice macaroon, hex (`LND_MACAROON_HEX`, or the file of `LND_MACAROON_PATH`). */
  macaroonHex: string;
  /** LND's TLS certificate (PEM): when set, the only certificate trusted for this node. */
  tlsCertPem?: string;
  /**
   * Node-local secret (32 bytes hex): an invoice made with an `idempotencyKey` gets the preimage
   * HMAC(secret, key), so a retried creation finds the first invoice instead of making a second.
   */
  invoiceSecretHex?: string;
  /** The network invoices must be of (`BITCOIN_NETWORK`); an invoice of another one is refused. */
  network?: BitcoinNetwork;
  /** Timeout of one `createInvoice` call. */
  timeoutMs?: number;
  /** Reconnect backoff of the invoice subscription. */
  backoff?: Partial<BackoffOptions>;
  logger?: Logger;
}

/** Options of {@link LndRestNode.subscribeInvoices}. */
export interface SubscribeOptions {
  /**
   * First replay every invoice whose settle_index is strictly greater than this (LND's semantics), e.g.
   * the last index recorded. 0 or absent: only settlements from now on. Note 1n skips settle_index 1.
   */
  settleIndex?: bigint;
  /** Read before each (re)connect: a stored cursor that moved ahead of the stream (a catch-up) is resumed from. */
  resumeFrom?: () => Promise<bigint>;
}

/** Called once per settled invoice; a throw makes the subscription reconnect and redeliver it. */
export type OnSettled = (invoice: SettledInvoice) => void | Promise<void>;

/** Lightning node backed by LND's REST API (`/v1/invoices`, `/v1/invoices/subscribe`). */
export class LndRestNode implements LightningNode {
  private readonly baseUrl: string;
  private readonly backoff: BackoffOptions;
  private readonly fetch: FetchLike;
  private readonly invoiceSecret: Uint8Array | null;

  constructor(private readonly options: LndRestNodeOptions) {
    this.baseUrl = options.url.replace(/\/+$/, '');
    this.backoff = { initialMs: options.backoff?.initialMs ?? 1000, maxMs: options.backoff?.maxMs ?? 60_000 };
    this.fetch = options.tlsCertPem ? pinnedFetch(options.tlsCertPem) : (url, init) => fetch(url, init);
    this.invoiceSecret = options.invoiceSecretHex ? hexToBytes(options.invoiceSecretHex) : null;
  }

  /** The node's REST endpoint (what a stored stream cursor belongs to). */
  get endpoint(): string {
    return this.baseUrl;
  }

  /** The preimage an invoice for `idempotencyKey` gets: HMAC-SHA256(node-local secret, key). */
  preimageFor(idempotencyKey: string): Uint8Array {
    if (!this.invoiceSecret) throw new InvalidInvoiceRequestError('an idempotency key needs the node-local invoice secret');
    return hmac(sha256, this.invoiceSecret, utf8ToBytes(`checkout-invoice:${idempotencyKey}`));
  }

  /**
   * `POST /v1/invoices`; checks that the returned BOLT11 really carries the hash and amount LND reported.
   * With `req.idempotencyKey` (and the node-local secret) the preimage is derived from the key, so
   * LND refuses a second invoice for it: a retry after a timeout then returns the first invoice.
   */
  async createInvoice(req: CreateInvoiceRequest): Promise<CreatedInvoice> {
    const problem = invoiceRequestProblem(req);
    if (problem) throw new InvalidInvoiceRequestError(problem);
    const preimage = req.idempotencyKey !== undefined && this.invoiceSecret ? this.preimageFor(req.idempotencyKey) : null;
    // LND's JSON gateway takes int64 fields as strings: amounts never pass through a JS number.
    const body: Record<string, string> = { value: req.amountSats.toString(), memo: req.memo, expiry: String(req.expirySeconds) };
    if (preimage) body.r_preimage = base64.encode(preimage);
    const { status, text } = await this.request('POST', '/v1/invoices', JSON.stringify(body));
    if (preimage && status !== 200 && /already exists/i.test(text)) {
      return this.existingInvoice(bytesToHex(sha256(preimage)), req.amountSats);
    }
    if (status !== 200) throw new LndRequestError(`POST /v1/invoices answered ${status}: ${text.slice(0, 200)}`, status);
    const json = parseJson<{ payment_request?: unknown; r_hash?: unknown }>(text, 'POST /v1/invoices', status);
    if (typeof json.payment_request !== 'string') throw new LndRequestError('LND returned no payment_request');
    const paymentHash = base64HashToHex(json.r_hash, 'r_hash');
    this.checkInvoice(json.payment_request, paymentHash, req.amountSats);
    this.options.logger?.debug({ paymentHash, amountSats: req.amountSats.toString() }, 'lnd invoice created');
    return { paymentRequest: json.payment_request, paymentHash };
  }

  /**
   * `GET /v1/newaddress?type=WITNESS_PUBKEY_HASH`: a fresh P2WPKH address of the node's wallet (allowed by
   * the invoice macaroon), checked to be of the configured network.
   */
  async newAddress(): Promise<string> {
    const { status, text } = await this.request('GET', '/v1/newaddress?type=WITNESS_PUBKEY_HASH');
    if (status !== 200) throw new LndRequestError(`GET /v1/newaddress answered ${status}: ${text.slice(0, 200)}`, status);
    const { address } = parseJson<{ address?: unknown }>(text, 'GET /v1/newaddress', status);
    if (typeof address !== 'string' || (this.options.network && !isValidAddress(address, this.options.network))) {
      throw new LndRequestError(`LND returned no address of network ${this.options.network ?? '?'}`);
    }
    return address;
  }

  /** The invoice with `paymentHash` as settled, or null while it is open, cancelled or unknown to the node. */
  async lookupInvoice(paymentHash: string): Promise<SettledInvoice | null> {
    const { status, text } = await this.request('GET', `/v1/invoice/${paymentHash}`);
    if (status === 404) return null;
    if (status !== 200) throw new LndRequestError(`GET /v1/invoice answered ${status}: ${text.slice(0, 200)}`, status);
    const invoice = parseJson<LndInvoiceJson>(text, 'GET /v1/invoice', status);
    return isSettled(invoice) ? toSettledInvoice(invoice) : null;
  }

  /** The invoice an earlier attempt made for the same key (`GET /v1/invoice/{hash}`), checked like a new one. */
  private async existingInvoice(paymentHash: string, amountSats: bigint): Promise<CreatedInvoice> {
    const { status, text } = await this.request('GET', `/v1/invoice/${paymentHash}`);
    if (status !== 200) throw new LndRequestError(`GET /v1/invoice answered ${status}: ${text.slice(0, 200)}`, status);
    const json = parseJson<{ payment_request?: unknown; state?: unknown }>(text, 'GET /v1/invoice', status);
    if (typeof json.payment_request !== 'string') throw new LndRequestError('LND returned no payment_request');
    if (json.state === 'CANCELED') throw new LndRequestError(`the invoice ${paymentHash} of this payment was cancelled on the node`);
    this.checkInvoice(json.payment_request, paymentHash, amountSats);
    this.options.logger?.info({ paymentHash }, 'lnd invoice already existed for this payment; reusing it');
    return { paymentRequest: json.payment_request, paymentHash };
  }

  private async request(method: string, path: string, body?: string): Promise<{ status: number; text: string }> {
    try {
      const res = await this.fetch(`${this.baseUrl}${path}`, {
        method,
        headers: { ...this.headers(), ...(body ? { 'Content-Type': 'application/json' } : {}) },
        body,
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 15_000),
      });
      return { status: res.status, text: await res.text() };
    } catch (err) {
      throw new LndRequestError(`${method} ${path.replace(/[0-9a-f]{64}/, '…')} failed: ${(err as Error).message}`);
    }
  }

  /**
   * Follows `GET /v1/invoices/subscribe` until `signal` aborts, calling `onSettled` for each settled
   * invoice. Reconnects with exponential backoff and resumes from the last settle_index delivered, so a
   * settlement during an outage is replayed rather than lost (delivery is at-least-once).
   */
  async subscribeInvoices(onSettled: OnSettled, signal: AbortSignal, opts: SubscribeOptions = {}): Promise<void> {
    let settleIndex = opts.settleIndex ?? 0n;
    let attempt = 0;
    while (!signal.aborted) {
      let received = false;
      try {
        if (opts.resumeFrom) {
          const stored = await opts.resumeFrom();
          if (stored > settleIndex) settleIndex = stored;
        }
        const query = settleIndex > 0n ? `?settle_index=${settleIndex}` : '';
        const res = await this.fetch(`${this.baseUrl}/v1/invoices/subscribe${query}`, { headers: this.headers(), signal });
        if (!res.ok || !res.body) {
          const text = await res.text().catch(() => '');
          throw new LndRequestError(`GET /v1/invoices/subscribe answered ${res.status}: ${text.slice(0, 200)}`, res.status);
        }
        this.options.logger?.info({ settleIndex: settleIndex.toString() }, 'lnd invoice subscription connected');

        for await (const line of streamLines(readableChunks(res.body))) {
          const invoice = parseSubscriptionLine(line);
          if (isSettled(invoice)) {
            await onSettled(toSettledInvoice(invoice));
            // Advance only after the callback succeeded, so a failed delivery is replayed on reconnect.
            const index = settleIndexOf(invoice);
            if (index !== null && index > settleIndex) settleIndex = index;
          }
          received = true;
        }
        throw new LndRequestError('LND closed the invoice subscription');
      } catch (err) {
        if (signal.aborted) break;
        this.options.logger?.warn({ err, attempt }, 'lnd invoice subscription interrupted; reconnecting');
      }
      // A connection that delivered (and we handled) data was healthy: start the backoff over.
      if (received) attempt = 0;
      await sleep(backoffDelay(attempt++, this.backoff), signal);
    }
  }

  private headers(): Record<string, string> {
    return this.options.macaroonHex ? { 'Grpc-Metadata-macaroon': this.options.macaroonHex } : {};
  }

  private checkInvoice(paymentRequest: string, paymentHash: string, amountSats: bigint): void {
    let invoice;
    try {
      invoice = decodeAndVerifyInvoice(paymentRequest, undefined, this.options.network);
    } catch (err) {
      if (err instanceof InvalidInvoiceError) {
        const network = this.options.network ? ` of network ${this.options.network}` : '';
        throw new LndRequestError(`LND returned an invalid invoice${network}: ${err.message}`);
      }
      throw err;
    }
    if (invoice.paymentHash !== paymentHash || invoice.amountSats !== amountSats) {
      throw new LndRequestError('LND returned an invoice whose hash or amount differs from the request');
    }
  }
}

function parseJson<T>(text: string, what: string, status: number): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new LndRequestError(`${what} did not return JSON`, status);
  }
}
