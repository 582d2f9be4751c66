import bolt11 from 'bolt11';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, hexToBytes, randomBytes } from '@noble/hashes/utils.js';
import type { Logger } from 'pino';
import { InvalidInvoiceRequestError, InvalidNodeKeyError } from './errors';
import type { CreateInvoiceRequest, CreatedInvoice, LightningNode } from './lightning';
import { invoiceRequestProblem } from './lightning';
import { assertNetwork, bolt11Network, type BitcoinNetwork } from './network';

export { decodeAndVerifyInvoice, type VerifiedInvoice } from './invoice';

/** A freshly generated Lightning node identity. */
export interface NodeKey {
  /** 32-byte secp256k1 secret, lowercase hex. */
  privateKey: string;
  /** 33-byte compressed public key (the node id), lowercase hex. */
  publicKey: string;
}

// LND's default final CLTV delta; bolt11's own default (9) is below what current nodes accept.
const MIN_FINAL_CLTV_EXPIRY = 80;

/** Generates a random node key for test mode (`LIGHTNING_NODE_KEY`). */
export function generateNodeKey(): NodeKey {
  const secret = secp256k1.utils.randomSecretKey();
  return { privateKey: bytesToHex(secret), publicKey: bytesToHex(secp256k1.getPublicKey(secret, true)) };
}

/** The compressed public key (node id, hex) of a 32-byte hex private key; throws `InvalidNodeKeyError`. */
export function nodePublicKey(privateKeyHex: string): string {
  if (typeof privateKeyHex !== 'string' || !/^[0-9a-fA-F]{64}$/.test(privateKeyHex)) {
    throw new InvalidNodeKeyError('a Lightning node key must be 32 bytes of hex (64 characters)');
  }
  const secret = hexToBytes(privateKeyHex.toLowerCase());
  if (!secp256k1.utils.isValidSecretKey(secret)) {
    throw new InvalidNodeKeyError('the Lightning node key is not a valid secp256k1 private key');
  }
  return bytesToHex(secp256k1.getPublicKey(secret, true));
}

/**
 * Test-mode Lightning node: signs real BOLT11 invoices with a local key. Nothing can actually pay
 * them (there is no channel), so receipts come from the test-helper simulator instead.
 */
export class LocalLightningNode implements LightningNode {
  /** This node's id (compressed public key, hex): the payee of every invoice it signs. */
  readonly publicKey: string;
  private readonly privateKeyHex: string;

  constructor(
    privateKeyHex: string,
    private readonly network: BitcoinNetwork,
    private readonly options: { logger?: Logger; now?: () => number } = {},
  ) {
    assertNetwork(network);
    this.publicKey = nodePublicKey(privateKeyHex);
    this.privateKeyHex = privateKeyHex.toLowerCase();
  }

  /** Signs a BOLT11 invoice with a random preimage (never kept: nothing here can settle it). */
  async createInvoice(req: CreateInvoiceRequest): Promise<CreatedInvoice> {
    const problem = invoiceRequestProblem(req);
    if (problem) throw new InvalidInvoiceRequestError(problem);
    const paymentHash = bytesToHex(sha256(randomBytes(32)));
    const nowMs = (this.options.now ?? Date.now)();
    const unsigned = bolt11.encode({
      network: bolt11Network(this.network),
      // Millisatoshis as a decimal string: bolt11 parses it with bn.js, so no float ever sees the amount.
      millisatoshis: (req.amountSats * 1000n).toString(),
      timestamp: Math.floor(nowMs / 1000),
      tags: [
        { tagName: 'payment_hash', data: paymentHash },
        { tagName: 'payment_secret', data: bytesToHex(randomBytes(32)) },
        { tagName: 'description', data: req.memo },
        { tagName: 'expire_time', data: req.expirySeconds },
        { tagName: 'min_final_cltv_expiry', data: MIN_FINAL_CLTV_EXPIRY },
      ],
    });
    const signed = bolt11.sign(unsigned, this.privateKeyHex);
    if (!signed.complete || !signed.paymentRequest) {
      throw new InvalidInvoiceRequestError('bolt11 did not produce a signed invoice');
    }
    this.options.logger?.debug({ paymentHash, amountSats: req.amountSats.toString() }, 'local invoice created');
    return { paymentRequest: signed.paymentRequest, paymentHash };
  }
}
