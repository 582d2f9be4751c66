import type { Logger } from 'pino';
import { backoffDelay, readableChunks, sleep, streamLines, type BackoffOptions } from './httpStream';
import { InvalidInvoiceError, InvalidInvoiceRequestError, LndRequestError } from './errors';
import { decodeAndVerifyInvoice } from './invoice';
import type { CreateInvoiceRequest, CreatedInvoice, LightningNode, SettledInvoice } from './lightning';
import { invoiceRequestProblem } from './lightning';
import { base64HashToHex, isSettled, parseSubscriptionLine, settleIndexOf, toSettledInvoice } from './lndInvoiceJson';

/** Connection settings of {@link LndRestNode}. */
export interface LndRestNodeOptions {
  /** LND's REST endpoint, e.g. `https://lnd:8080` (`LND_REST_URL`). */
  url: string;
  /** Invoice macaroon, hex (`LND_MACAROON_HEX`). */
  macaroonHex: string;
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
}

/** Called once per settled invoice; a throw makes the subscription reconnect and redeliver it. */
export type OnSettled = (invoice: SettledInvoice) => void | Promise<void>;

/** Lightning node backed by LND's REST API (`/v1/invoices`, `/v1/invoices/subscribe`). */
export class LndRestNode implements LightningNode {
  private readonly baseUrl: string;
  private readonly backoff: BackoffOptions;

  constructor(private readonly options: LndRestNodeOptions) {
    this.baseUrl = options.url.replace(/\/+$/, '');
    this.backoff = { initialMs: options.backoff?.initialMs ?? 1000, maxMs: options.backoff?.maxMs ?? 60_000 };
  }

  /** `POST /v1/invoices`; checks that the returned BOLT11 really carries the hash and amount LND reported. */
  async createInvoice(req: CreateInvoiceRequest): Promise<CreatedInvoice> {
    const problem = invoiceRequestProblem(req);
    if (problem) throw new InvalidInvoiceRequestError(problem);
    // LND's JSON gateway takes int64 fields as strings: amounts never pass through a JS number.
    const body = JSON.stringify({ value: req.amountSats.toString(), memo: req.memo, expiry: String(req.expirySeconds) });
    let res: Response;
    try {
      res = await fetch(`${this.baseUrl}/v1/invoices`, {
        method: 'POST',
        headers: { ...this.headers(), 'Content-Type': 'application/json' },
        body,
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 15_000),
      });
    } catch (err) {
      throw new LndRequestError(`POST /v1/invoices failed: ${(err as Error).message}`);
    }
    const text = await res.text();
    if (!res.ok) throw new LndRequestError(`POST /v1/invoices answered ${res.status}: ${text.slice(0, 200)}`, res.status);
    let json: { payment_request?: unknown; r_hash?: unknown };
    try {
      json = JSON.parse(text) as typeof json;
    } catch {
      throw new LndRequestError('POST /v1/invoices did not return JSON', res.status);
    }
    if (typeof json.payment_request !== 'string') throw new LndRequestError('LND returned no payment_request');
    const paymentHash = base64HashToHex(json.r_hash, 'r_hash');
    this.checkInvoice(json.payment_request, paymentHash, req.amountSats);
    this.options.logger?.debug({ paymentHash, amountSats: req.amountSats.toString() }, 'lnd invoice created');
    return { paymentRequest: json.payment_request, paymentHash };
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
        const query = settleIndex > 0n ? `?settle_index=${settleIndex}` : '';
        const res = await fetch(`${this.baseUrl}/v1/invoices/subscribe${query}`, { headers: this.headers(), signal });
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
      invoice = decodeAndVerifyInvoice(paymentRequest);
    } catch (err) {
      if (err instanceof InvalidInvoiceError) throw new LndRequestError(`LND returned an invalid invoice: ${err.message}`);
      throw err;
    }
    if (invoice.paymentHash !== paymentHash || invoice.amountSats !== amountSats) {
      throw new LndRequestError('LND returned an invoice whose hash or amount differs from the request');
    }
  }
}
