import { bech32 } from '@scure/base';

/**
 * LNURL codec (LUD-01) and the LNURL-withdraw messages (LUD-03, LUD-17), pure: no I/O.
 *
 * An LNURL is the bech32 encoding (human-readable part `lnurl`) of the URL's UTF-8 bytes, without
 * bech32's 90-character limit (URLs are longer). Wallets accept it in either case; QR codes use upper
 * case (alphanumeric mode, a smaller code), everything else lower case.
 */
const HRP = 'lnurl';

export class InvalidLnurlError extends Error {}

/** `lnurl1…` (lower case) for `url`. Refuses anything but an absolute http(s) URL. */
export function encodeLnurl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InvalidLnurlError(`not an absolute URL: ${url}`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new InvalidLnurlError(`not an http(s) URL: ${url}`);
  return bech32.encode(HRP, bech32.toWords(new TextEncoder().encode(url)), false);
}

/**
 * The URL inside an LNURL: accepts either case and a `lightning:` prefix (how wallets and QR codes
 * carry it). Throws `InvalidLnurlError` on a bad checksum, another prefix, or bytes that are not UTF-8.
 */
export function decodeLnurl(lnurl: string): string {
  const bare = lnurl.trim().replace(/^lightning:/i, '');
  if (bare !== bare.toLowerCase() && bare !== bare.toUpperCase()) throw new InvalidLnurlError('mixed-case LNURL');
  let decoded: { prefix: string; words: number[] };
  try {
    decoded = bech32.decode(bare.toLowerCase() as `${string}1${string}`, false);
  } catch (err) {
    throw new InvalidLnurlError(`not a bech32 LNURL: ${(err as Error).message}`);
  }
  if (decoded.prefix !== HRP) throw new InvalidLnurlError(`prefix ${decoded.prefix}, not ${HRP}`);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bech32.fromWords(decoded.words));
  } catch {
    throw new InvalidLnurlError('LNURL does not hold a UTF-8 URL');
  }
}

/** LUD-17's scheme form of a withdraw URL (`lnurlw://host/path`), which wallets open without bech32. */
export function lud17WithdrawUrl(url: string): string {
  return url.replace(/^https?:\/\//i, 'lnurlw://');
}

/** The first answer of LNURL-withdraw (LUD-03): what the wallet may withdraw, in millisatoshis. */
export interface WithdrawRequest {
  tag: 'withdrawRequest';
  callback: string;
  k1: string;
  defaultDescription: string;
  minWithdrawable: number;
  maxWithdrawable: number;
}

/**
 * The withdraw request for a single-use link of exactly `sats`: min = max, so the wallet's invoice must
 * be for that amount. Millisatoshis as JSON numbers (LUD-03's type): exact below 2^53 msat (90,071 BTC).
 */
export function withdrawRequest(input: { callback: string; k1: string; sats: bigint; description: string }): WithdrawRequest {
  const msat = input.sats * 1000n;
  if (msat > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError('amount too large for an LNURL-withdraw');
  return {
    tag: 'withdrawRequest', callback: input.callback, k1: input.k1, defaultDescription: input.description,
    minWithdrawable: Number(msat), maxWithdrawable: Number(msat),
  };
}

/** LUD-03's answers to the callback: `{"status":"OK"}` or `{"status":"ERROR","reason":…}`. */
export type LnurlStatus = { status: 'OK' } | { status: 'ERROR'; reason: string };

export const lnurlOk = (): LnurlStatus => ({ status: 'OK' });
export const lnurlError = (reason: string): LnurlStatus => ({ status: 'ERROR', reason });
