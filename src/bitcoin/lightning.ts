/** What the checkout needs from a Lightning node: a fresh BOLT11 invoice per payment. */
export interface LightningNode {
  /** Creates an invoice for exactly `amountSats`, described by `memo`, valid for `expirySeconds`. */
  createInvoice(req: CreateInvoiceRequest): Promise<CreatedInvoice>;
  /** A fresh receive address of the node's own on-chain wallet (the platform custody of on-chain money). */
  newAddress?(): Promise<string>;
}

/** Arguments of {@link LightningNode.createInvoice}. */
export interface CreateInvoiceRequest {
  amountSats: bigint;
  memo: string;
  expirySeconds: number;
  /**
   * Names the one invoice this request is for (e.g. `{session}:{payment seq}`): a node that supports it
   * returns the invoice an earlier attempt made instead of a second one.
   */
  idempotencyKey?: string;
}

/** Result of {@link LightningNode.createInvoice}. */
export interface CreatedInvoice {
  /** The BOLT11 payment request (`lnbc…`, `lntb…`, `lnbcrt…`). */
  paymentRequest: string;
  /** The invoice's payment hash, lowercase hex: the key a Lightning receipt is recorded under. */
  paymentHash: string;
}

/** A settled invoice as reported by a node's invoice subscription. */
export interface SettledInvoice {
  paymentHash: string;
  amountSats: bigint;
  /** LND's settle_index of this invoice: the cursor a watcher stores to resume after a restart. */
  settleIndex?: bigint | null;
}

// BOLT11's `d` field holds at most 639 bytes (1023 five-bit words).
const MAX_MEMO_BYTES = 639;
// 21 million BTC: no invoice can be larger.
const MAX_SATS = 2_100_000_000_000_000n;

/** Returns the reason `req` is not a sane invoice request, or null when it is. */
export function invoiceRequestProblem(req: CreateInvoiceRequest): string | null {
  if (typeof req.amountSats !== 'bigint') return 'amountSats must be a bigint';
  if (req.amountSats <= 0n) return 'amountSats must be positive';
  if (req.amountSats > MAX_SATS) return 'amountSats exceeds 21 million BTC';
  if (!Number.isSafeInteger(req.expirySeconds) || req.expirySeconds <= 0) {
    return 'expirySeconds must be a positive integer';
  }
  if (typeof req.memo !== 'string') return 'memo must be a string';
  if (Buffer.byteLength(req.memo, 'utf8') > MAX_MEMO_BYTES) return `memo exceeds ${MAX_MEMO_BYTES} bytes`;
  return null;
}
