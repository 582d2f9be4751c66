import { base64, base64url } from '@scure/base';
import { Transaction } from '@scure/btc-signer';
import { LndRequestError } from './errors';
import { pinnedFetch, type FetchLike } from './pinnedFetch';

/** Connection of the node's sending side: a macaroon allowed to pay and to read balances (`LND_PAYOUT_MACAROON_*`). */
export interface LndSenderOptions {
  url: string;
  macaroonHex: string;
  tlsCertPem?: string;
  timeoutMs?: number;
}

/** A Lightning payment as the node reports it (LND's `Payment`, the fields money depends on). */
export interface LightningPayment {
  paymentHash: string;
  status: 'IN_FLIGHT' | 'SUCCEEDED' | 'FAILED' | 'INITIATED' | 'UNKNOWN';
  /** Routing fee paid, whole sats rounded up from msat (0 until it succeeded). */
  feeSats: bigint;
  valueSats: bigint;
  /** LND's `failure_reason` (e.g. FAILURE_REASON_NO_ROUTE) once FAILED. */
  failureReason: string | null;
  preimage: string | null;
}

/** The node's spendable funds: what proof of reserves compares the platform-held liabilities with. */
export interface NodeFunds {
  /** Channels' local balance (plus outgoing HTLCs still in flight: sats not yet gone). */
  channelsLocal: bigint;
  /** Confirmed on-chain wallet balance. */
  walletConfirmed: bigint;
}

/**
 * LND's sending side over REST: pay a BOLT11 (`POST /v2/router/send`), ask about a payment by its hash
 * (`GET /v2/router/track/{hash}`), and the balances (`/v1/balance/channels`, `/v1/balance/blockchain`).
 *
 * The payment hash is the idempotency key of a Lightning send: LND refuses a second payment of a hash
 * that is in flight or succeeded, and `paymentByHash` finds the first attempt after a crash, so callers
 * always ask before they send again.
 */
export class LndSender {
  private readonly baseUrl: string;
  private readonly fetch: FetchLike;

  constructor(private readonly options: LndSenderOptions) {
    this.baseUrl = options.url.replace(/\/+$/, '');
    this.fetch = options.tlsCertPem ? pinnedFetch(options.tlsCertPem) : (url, init) => fetch(url, init);
  }

  /** The node's identity key (hex): an invoice it signed is a payment to itself. */
  async identityPubkey(): Promise<string> {
    return (await this.json<{ identity_pubkey: string }>('GET', '/v1/getinfo')).identity_pubkey;
  }

  /** Channels' local balance and the confirmed wallet balance. */
  async funds(): Promise<NodeFunds> {
    const ch = await this.json<{ local_balance?: { sat?: string }; unsettled_local_balance?: { sat?: string } }>('GET', '/v1/balance/channels');
    const chain = await this.json<{ confirmed_balance?: string }>('GET', '/v1/balance/blockchain');
    return {
      channelsLocal: BigInt(ch.local_balance?.sat ?? '0') + BigInt(ch.unsettled_local_balance?.sat ?? '0'),
      walletConfirmed: BigInt(chain.confirmed_balance ?? '0'),
    };
  }

  /**
   * Pays `paymentRequest` (with `amountSats` only for a zero-amount invoice), routing fees capped at
   * `feeLimitSats`, and waits for the final state (or `timeoutSeconds` of path finding). A hash the node
   * already paid or is paying is not paid again: the answer is then the node's record of it.
   */
  async pay(req: { paymentRequest: string; paymentHash: string; amountSats?: bigint; feeLimitSats: bigint; timeoutSeconds: number }): Promise<LightningPayment> {
    const body: Record<string, unknown> = {
      payment_request: req.paymentRequest, fee_limit_sat: req.feeLimitSats.toString(), timeout_seconds: req.timeoutSeconds,
      no_inflight_updates: true, allow_self_payment: false,
    };
    if (req.amountSats !== undefined) body.amt = req.amountSats.toString();
    const { status, text } = await this.request('POST', '/v2/router/send', JSON.stringify(body), (req.timeoutSeconds + 30) * 1000);
    const last = lastStreamMessage(text);
    const err = (last?.error as { message?: string } | undefined)?.message ?? (status !== 200 ? text : undefined);
    if (err) {
      // "already paid" / "in transition": the first attempt stands; ask the node about it.
      if (/already (been )?paid|in transition|already exists|in flight/i.test(err)) {
        const known = await this.paymentByHash(req.paymentHash);
        if (known) return known;
      }
      throw new LndRequestError(`POST /v2/router/send: ${err.slice(0, 300)}`, status);
    }
    if (!last?.result) throw new LndRequestError('POST /v2/router/send returned no payment');
    return toPayment(last.result as LndPaymentJson);
  }

  /**
   * The node's record of the payment of `paymentHash`, final or in flight, or null when the node never
   * started one (`GET /v2/router/track/{hash}?no_inflight_updates=true`, which waits while it is in flight).
   */
  async paymentByHash(paymentHash: string, waitMs = 60_000): Promise<LightningPayment | null> {
    // LND's REST gateway reads a bytes path parameter as padded base64 (standard or URL-safe); unpadded is a 400.
    const hash = encodeURIComponent(base64url.encode(Buffer.from(paymentHash, 'hex')));
    const { status, text } = await this.request('GET', `/v2/router/track/${hash}?no_inflight_updates=true`, undefined, waitMs);
    const last = lastStreamMessage(text);
    const err = (last?.error as { message?: string } | undefined)?.message ?? (status !== 200 ? text : undefined);
    if (err) {
      // LND answers a hash it never paid with 404 "payment isn't initiated".
      if (status === 404 || /n[o']t initiated|not found|unknown payment/i.test(err)) return null;
      throw new LndRequestError(`GET /v2/router/track: ${err.slice(0, 300)}`, status);
    }
    return last?.result ? toPayment(last.result as LndPaymentJson) : null;
  }

  /** The node's fee estimate for sending `sats` to `address` within `targetConf` blocks (`GET /v1/transactions/fee`). */
  async estimateFee(address: string, sats: bigint, targetConf: number): Promise<{ feeSats: bigint; satPerVbyte: bigint }> {
    const q = `AddrToAmount[${encodeURIComponent(address)}]=${sats}&target_conf=${targetConf}&spend_unconfirmed=false`;
    const r = await this.json<{ fee_sat?: string; sat_per_vbyte?: string }>('GET', `/v1/transactions/fee?${q}`);
    return { feeSats: BigInt(r.fee_sat ?? '0'), satPerVbyte: BigInt(r.sat_per_vbyte ?? '1') };
  }

  /**
   * Builds and signs (does not broadcast) a transaction paying `sats` to `address` from the node's wallet
   * (`/v2/wallet/psbt/fund` + `/finalize`; its inputs stay locked for LND's lease), so its txid can be
   * recorded before anything leaves. Returns the raw transaction (hex) and the fee it pays.
   */
  async buildTransaction(address: string, sats: bigint, satPerVbyte: bigint): Promise<{ rawTxHex: string; feeSats: bigint }> {
    const funded = await this.json<{ funded_psbt: string }>('POST', '/v2/wallet/psbt/fund', {
      raw: { outputs: { [address]: sats.toString() } }, sat_per_vbyte: satPerVbyte.toString(), min_confs: 1, spend_unconfirmed: false,
    });
    const psbtFee = psbtFeeSats(funded.funded_psbt);
    const final = await this.json<{ raw_final_tx: string }>('POST', '/v2/wallet/psbt/finalize', { funded_psbt: funded.funded_psbt });
    return { rawTxHex: Buffer.from(final.raw_final_tx, 'base64').toString('hex'), feeSats: psbtFee };
  }

  /** Broadcasts a signed transaction (`POST /v2/wallet/tx`); publishing one the node already knows is not an error. */
  async publishTransaction(rawTxHex: string, label: string): Promise<void> {
    const { status, text } = await this.request('POST', '/v2/wallet/tx', JSON.stringify({ tx_hex: Buffer.from(rawTxHex, 'hex').toString('base64'), label }));
    if (status === 200) {
      const err = (JSON.parse(text) as { publish_error?: string }).publish_error;
      if (!err || /already|exists|in mempool|known/i.test(err)) return;
      throw new LndRequestError(`POST /v2/wallet/tx: ${err}`);
    }
    if (/already|exists|in mempool|known/i.test(text)) return;
    throw new LndRequestError(`POST /v2/wallet/tx answered ${status}: ${text.slice(0, 200)}`, status);
  }

  /** Whether the node's wallet knows the transaction `txid` (it broadcast or saw it), with its confirmations. */
  async walletTransaction(txid: string): Promise<{ confirmations: number } | null> {
    const r = await this.json<{ transactions?: { tx_hash: string; num_confirmations?: number }[] }>('GET', '/v1/transactions?start_height=0&end_height=-1');
    const t = r.transactions?.find((x) => x.tx_hash === txid);
    return t ? { confirmations: t.num_confirmations ?? 0 } : null;
  }

  private async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    const { status, text } = await this.request(method, path, body === undefined ? undefined : JSON.stringify(body));
    if (status !== 200) throw new LndRequestError(`${method} ${path} answered ${status}: ${text.slice(0, 200)}`, status);
    return JSON.parse(text) as T;
  }

  private async request(method: string, path: string, body?: string, timeoutMs?: number): Promise<{ status: number; text: string }> {
    try {
      const res = await this.fetch(`${this.baseUrl}${path}`, {
        method, body, signal: AbortSignal.timeout(timeoutMs ?? this.options.timeoutMs ?? 15_000),
        headers: { 'Grpc-Metadata-macaroon': this.options.macaroonHex, ...(body ? { 'Content-Type': 'application/json' } : {}) },
      });
      return { status: res.status, text: await res.text() };
    } catch (err) {
      throw new LndRequestError(`${method} ${path.split('?')[0].replace(/\/[A-Za-z0-9_-]{43}$/, '/…')} failed: ${(err as Error).message}`);
    }
  }
}

interface LndPaymentJson {
  payment_hash: string; status: LightningPayment['status']; fee_msat?: string; value_sat?: string;
  failure_reason?: string; payment_preimage?: string;
}

function toPayment(p: LndPaymentJson): LightningPayment {
  const feeMsat = BigInt(p.fee_msat ?? '0');
  return {
    paymentHash: p.payment_hash, status: p.status, feeSats: (feeMsat + 999n) / 1000n, valueSats: BigInt(p.value_sat ?? '0'),
    failureReason: p.status === 'FAILED' ? (p.failure_reason ?? 'FAILURE_REASON_UNKNOWN') : null,
    preimage: p.payment_preimage && !/^0+$/.test(p.payment_preimage) ? p.payment_preimage : null,
  };
}

/** A server stream over REST is newline-delimited JSON (`{"result": …}` or `{"error": …}`): its last message. */
function lastStreamMessage(text: string): { result?: unknown; error?: unknown } | undefined {
  const lines = text.split('\n').filter((l) => l.trim());
  for (let i = lines.length - 1; i >= 0; i--) {
    try {
      const m = JSON.parse(lines[i]) as Record<string, unknown>;
      if ('result' in m || 'error' in m) return m;
      if ('code' in m && 'message' in m) return { error: m };
    } catch { /* a partial line: keep looking */ }
  }
  return undefined;
}

/** The fee of a funded PSBT (inputs carry their witness UTXOs): inputs − outputs, via @scure/btc-signer. */
function psbtFeeSats(psbtBase64: string): bigint {
  const tx = Transaction.fromPSBT(base64.decode(psbtBase64));
  return tx.fee;
}
