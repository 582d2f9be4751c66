import bolt11 from 'bolt11';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { bech32 } from '@scure/base';
import { concatBytes, hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { InvalidInvoiceError } from './errors';
import { bolt11Network, type BitcoinNetwork } from './network';

/** The facts of a BOLT11 invoice the checkout relies on, after its signature was checked. */
export interface VerifiedInvoice {
  amountSats: bigint;
  /** Payment hash, lowercase hex. */
  paymentHash: string;
  /** The signing node's compressed public key, lowercase hex. */
  payeeNodeKey: string;
  /** Expiry instant in ms since the epoch (timestamp + expiry, BOLT11's 3600 s default when absent). */
  expiresAt: number;
  description: string;
  /** Bech32 prefix of the invoice's network: `bc`, `tb`, `bcrt`. */
  networkPrefix: string;
}

// BOLT11: the last 104 five-bit words are the 64-byte signature plus the recovery id.
const SIGNATURE_WORDS = 104;
const DEFAULT_EXPIRY_SECONDS = 3600;

/**
 * Decodes `paymentRequest` with `bolt11` and checks its signature independently with @noble/curves:
 * the key bolt11 recovered must verify the signature (low-S) over the invoice's signing data and, when
 * `expectedPayeeNodeKey` is given, must be that key; with `network`, the invoice must be of that network
 * (signet's `lntbs` is decoded only this way). Throws `InvalidInvoiceError` on any failure.
 */
export function decodeAndVerifyInvoice(
  paymentRequest: string, expectedPayeeNodeKey?: string, network?: BitcoinNetwork, opts: { anyAmount?: boolean } = {},
): VerifiedInvoice {
  let decoded: ReturnType<typeof bolt11.decode>;
  try {
    decoded = network ? bolt11.decode(paymentRequest, bolt11Network(network)) : bolt11.decode(paymentRequest);
  } catch (err) {
    throw new InvalidInvoiceError(`not a valid BOLT11 invoice: ${(err as Error).message}`);
  }
  const { signature, payeeNodeKey, recoveryFlag, tagsObject } = decoded;
  if (decoded.complete !== true || !signature || !/^[0-9a-f]{128}$/.test(signature)) {
    throw new InvalidInvoiceError('invoice is not signed');
  }
  if (recoveryFlag === undefined || recoveryFlag < 0 || recoveryFlag > 3) {
    throw new InvalidInvoiceError('invoice signature has no valid recovery id');
  }
  if (!payeeNodeKey || !/^0[23][0-9a-f]{64}$/.test(payeeNodeKey)) {
    throw new InvalidInvoiceError('could not recover the payee node key');
  }
  if (!verifySignature(paymentRequest, signature, payeeNodeKey)) {
    throw new InvalidInvoiceError('invoice signature does not verify');
  }
  if (expectedPayeeNodeKey !== undefined && payeeNodeKey !== expectedPayeeNodeKey.toLowerCase()) {
    throw new InvalidInvoiceError(`invoice is signed by ${payeeNodeKey}, not by the expected node ${expectedPayeeNodeKey}`);
  }
  const paymentHash = tagsObject.payment_hash;
  if (!paymentHash || !/^[0-9a-f]{64}$/.test(paymentHash)) throw new InvalidInvoiceError('invoice has no payment hash');
  // A zero-amount ("any amount") invoice reads as 0 sats where the caller allows one (a payout names the amount).
  const anyAmount = opts.anyAmount && (decoded.millisatoshis === undefined || decoded.millisatoshis === null);
  if (!anyAmount && (typeof decoded.millisatoshis !== 'string' || !/^\d+$/.test(decoded.millisatoshis))) {
    throw new InvalidInvoiceError('invoice has no amount');
  }
  const msats = anyAmount ? 0n : BigInt(decoded.millisatoshis!);
  // A checkout invoice is always for whole sats; a sub-sat amount means it is not one of ours.
  if (msats % 1000n !== 0n) throw new InvalidInvoiceError('invoice amount is not a whole number of sats');
  const timestamp = decoded.timestamp;
  if (timestamp === undefined) throw new InvalidInvoiceError('invoice has no timestamp');
  const expirySeconds = tagsObject.expire_time ?? DEFAULT_EXPIRY_SECONDS;
  return {
    amountSats: msats / 1000n,
    paymentHash,
    payeeNodeKey,
    expiresAt: (timestamp + expirySeconds) * 1000,
    description: tagsObject.description ?? '',
    networkPrefix: decoded.network?.bech32 ?? '',
  };
}

/**
 * Re-checks the signature with @noble/curves rather than trusting bolt11's recovery alone: recovery
 * yields *some* key for any 64 bytes, so only a verify against the signing data proves authorship.
 */
function verifySignature(paymentRequest: string, signatureHex: string, payeeNodeKey: string): boolean {
  // BOLT11 has no 90-character limit; `false` lifts bech32's default.
  const { prefix, words } = bech32.decode(paymentRequest.toLowerCase(), false);
  const dataWords = words.slice(0, -SIGNATURE_WORDS);
  // The signed data is hrp || data words as bytes, zero-padded to a byte boundary. Padding the words to
  // a multiple of 8 (40 bits) lets bech32.fromWords convert exactly; then cut to the padded byte length.
  const padded = dataWords.concat(new Array<number>((8 - (dataWords.length % 8)) % 8).fill(0));
  const dataBytes = bech32.fromWords(padded).slice(0, Math.ceil((dataWords.length * 5) / 8));
  const message = concatBytes(utf8ToBytes(prefix), dataBytes);
  // prehash (sha256) is noble's default and is exactly BOLT11's signature hash; lowS matches BOLT11.
  return secp256k1.verify(hexToBytes(signatureHex), message, hexToBytes(payeeNodeKey), { lowS: true });
}
