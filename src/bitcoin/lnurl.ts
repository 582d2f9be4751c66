import bolt11 from 'bolt11';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { bech32 } from '@scure/base';
import { publicFetch } from '../net/publicFetch';

/** A destination that is not a usable LNURL-pay / Lightning Address (malformed, unreachable, refused). */
export class LnurlError extends Error {
  override readonly name = 'LnurlError';
}

/** LUD-06 `payRequest`: what the service accepts (amounts in millisatoshis). */
export interface PayRequest {
  callback: string;
  minSendable: bigint;
  maxSendable: bigint;
  metadata: string;
}

export interface LnurlOptions {
  /** Allow plain `http://` (and so loopback test servers); LUD-16 wants https (clearnet). */
  allowHttp?: boolean;
  /** Let the service's host be loopback, private or otherwise non-public (local development only). */
  allowPrivateNetworks?: boolean;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

const LIGHTNING_ADDRESS = /^([a-z0-9\-_.+]+)@([a-z0-9\-.]+(?::\d{1,5})?)$/i;

/** Whether `s` looks like a Lightning Address (`name@domain`, LUD-16). */
export function isLightningAddress(s: string): boolean {
  return LIGHTNING_ADDRESS.test(s);
}

/** The LUD-16 well-known URL of a Lightning Address. */
export function lightningAddressUrl(address: string, opts: LnurlOptions = {}): string {
  const m = LIGHTNING_ADDRESS.exec(address);
  if (!m) throw new LnurlError('not a Lightning Address (name@domain)');
  const scheme = opts.allowHttp ? 'http' : 'https';
  return `${scheme}://${m[2].toLowerCase()}/.well-known/lnurlp/${m[1].toLowerCase()}`;
}

/** Whether `s` is a bech32 LNURL (`lnurl1…`, optionally `lightning:`-prefixed). */
export function isLnurl(s: string): boolean {
  return /^(lightning:)?lnurl1[02-9ac-hj-np-z]+$/i.test(s);
}

/**
 * The URL inside a bech32 LNURL (LUD-01), decoded with @scure/base (LNURLs exceed bech32's 90-character
 * limit, so the limit is lifted).
 */
export function decodeLnurl(s: string): string {
  const raw = s.replace(/^lightning:/i, '').toLowerCase();
  let url: string;
  try {
    const { prefix, words } = bech32.decode(raw as `${string}1${string}`, 2000);
    if (prefix !== 'lnurl') throw new LnurlError('not an LNURL');
    url = new TextDecoder().decode(bech32.fromWords(words));
    new URL(url);
  } catch (err) {
    if (err instanceof LnurlError) throw err;
    throw new LnurlError(`not a valid LNURL: ${(err as Error).message}`);
  }
  return url;
}

/** Encodes a URL as a bech32 LNURL (upper case, as wallets show it in QR codes). */
export function encodeLnurl(url: string): string {
  return bech32.encode('lnurl', bech32.toWords(utf8ToBytes(url)), 2000).toUpperCase();
}

/** Fetches and checks the LUD-06 `payRequest` at `url`. */
export async function fetchPayRequest(url: string, opts: LnurlOptions = {}): Promise<PayRequest> {
  checkScheme(url, opts);
  const json = await getJson(url, opts);
  if (json.tag !== 'payRequest') throw new LnurlError(`the LNURL service answered no payRequest${json.reason ? `: ${String(json.reason)}` : ''}`);
  const { callback, minSendable, maxSendable, metadata } = json as Record<string, unknown>;
  if (typeof callback !== 'string' || typeof metadata !== 'string') throw new LnurlError('the payRequest has no callback or metadata');
  checkScheme(callback, opts);
  const min = toMsat(minSendable);
  const max = toMsat(maxSendable);
  if (min === null || max === null || min > max) throw new LnurlError('the payRequest has no valid minSendable/maxSendable');
  return { callback, minSendable: min, maxSendable: max, metadata };
}

/**
 * Asks the service's callback for an invoice of `amountMsat` (LUD-06) and checks it: its amount is the
 * one asked for and its description hash commits to the payRequest's metadata. Returns the BOLT11.
 */
export async function fetchInvoice(pay: PayRequest, amountMsat: bigint, opts: LnurlOptions = {}): Promise<string> {
  if (amountMsat < pay.minSendable || amountMsat > pay.maxSendable) {
    throw new LnurlError(`the service accepts ${pay.minSendable / 1000n}–${pay.maxSendable / 1000n} sats`);
  }
  const url = new URL(pay.callback);
  url.searchParams.set('amount', amountMsat.toString());
  const json = await getJson(url.toString(), opts);
  if (typeof json.pr !== 'string') throw new LnurlError(`the LNURL service returned no invoice${json.reason ? `: ${String(json.reason)}` : ''}`);
  let decoded: ReturnType<typeof bolt11.decode>;
  try {
    decoded = bolt11.decode(json.pr);
  } catch (err) {
    throw new LnurlError(`the LNURL service returned an invalid invoice: ${(err as Error).message}`);
  }
  if (decoded.millisatoshis !== amountMsat.toString()) throw new LnurlError('the LNURL service returned an invoice for another amount');
  const hash = decoded.tagsObject.purpose_commit_hash;
  if (hash && hash !== bytesToHex(sha256(utf8ToBytes(pay.metadata)))) {
    throw new LnurlError('the invoice does not commit to the payRequest metadata (description hash)');
  }
  return json.pr;
}

function checkScheme(url: string, opts: LnurlOptions): void {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new LnurlError('the LNURL service sent an invalid URL');
  }
  const onion = u.hostname.endsWith('.onion');
  if (u.protocol !== 'https:' && !(u.protocol === 'http:' && (opts.allowHttp || onion))) throw new LnurlError('LNURL services must use https');
}

async function getJson(url: string, opts: LnurlOptions): Promise<Record<string, unknown>> {
  let res: Response;
  try {
    // The host is the payee's choice: the same outbound address rule as webhooks (src/net/addressRules.ts).
    const get = opts.fetch ?? publicFetch({ allowPrivateNetworks: opts.allowPrivateNetworks ?? false, settingName: 'PAYOUT_LNURL_ALLOW_PRIVATE_NETWORKS' });
    res = await get(url, { redirect: 'error', signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000), headers: { accept: 'application/json' } });
  } catch (err) {
    throw new LnurlError(`the LNURL service could not be reached: ${(err as Error).message}`);
  }
  const text = await res.text();
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new LnurlError(`the LNURL service answered ${res.status} without JSON`);
  }
  if (json.status === 'ERROR') throw new LnurlError(`the LNURL service refused: ${String(json.reason ?? 'no reason')}`);
  if (!res.ok) throw new LnurlError(`the LNURL service answered ${res.status}`);
  return json;
}

function toMsat(v: unknown): bigint | null {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return BigInt(v);
  if (typeof v === 'string' && /^\d+$/.test(v)) return BigInt(v);
  return null;
}
