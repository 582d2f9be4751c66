/**
 * A `fetch` for URLs a merchant or a stranger chose (LNURL-pay services, Lightning Address domains):
 * the host's every DNS answer must pass the outbound address rule (addressRules.ts) before anything is
 * sent, and the connection then uses exactly the checked addresses (no second lookup, so a DNS
 * rebinding answer cannot differ). Only the operator can open private networks, for local development.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import type { LookupFunction } from 'node:net';
import { isIP } from 'node:net';
import { Agent, fetch as undiciFetch } from 'undici';
import { blockedIpReason } from './addressRules';

/** The URL's host is, or resolves to, an address the rule refuses (or does not resolve at all). */
export class OutboundAddressError extends Error {
  override readonly name = 'OutboundAddressError';
}

/** The operator's choice for one kind of outbound request. */
export interface OutboundPolicy {
  /** May these requests reach loopback, private, link-local and other non-public addresses? (default no) */
  allowPrivateNetworks: boolean;
  /** Named in every refusal: the setting that lifts it. */
  settingName: string;
  /** Replaces `dns.lookup` (tests). */
  resolver?: (hostname: string) => Promise<{ address: string; family: number }[]>;
}

/** The largest answer read: LNURL documents are a few hundred bytes. */
const MAX_BODY_BYTES = 64 * 1024;

const defaultResolver = async (hostname: string) => dnsLookup(hostname, { all: true });

/** `fetch(url, init)` under `policy`; the answer is read whole (up to 64 KiB, as text) before it is returned. */
export function publicFetch(policy: OutboundPolicy): (url: string, init?: RequestInit) => Promise<Response> {
  return async (url, init) => {
    const parsed = new URL(url);
    const host = parsed.hostname.startsWith('[') ? parsed.hostname.slice(1, -1) : parsed.hostname;
    const family = isIP(host);
    let addresses: { address: string; family: number }[];
    if (family !== 0) addresses = [{ address: host, family }];
    else {
      try {
        addresses = await (policy.resolver ?? defaultResolver)(host);
      } catch (err) {
        throw new OutboundAddressError(`cannot resolve ${host}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      }
      if (addresses.length === 0) throw new OutboundAddressError(`${host} has no addresses`);
    }
    if (!policy.allowPrivateNetworks) {
      // Every answer must pass: the connection could use any of them.
      for (const { address } of addresses) {
        const reason = blockedIpReason(address);
        if (reason) {
          throw new OutboundAddressError(`${host}${address === host ? '' : ` resolves to ${address}`} (${reason}): only public addresses are allowed`
            + ` (for local development the operator can allow them with ${policy.settingName}=true)`);
        }
      }
    }
    const lookup: LookupFunction = (_hostname, options, callback) => {
      const cb = callback as (...args: unknown[]) => void;
      if ((options as { all?: boolean }).all) cb(null, addresses);
      else cb(null, addresses[0].address, addresses[0].family);
    };
    const dispatcher = new Agent({ connect: { lookup }, pipelining: 0 });
    try {
      const res = await undiciFetch(url, { ...(init as object), dispatcher });
      const body = await readCapped(res);
      return new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers as unknown as Headers });
    } finally {
      await dispatcher.destroy().catch(() => undefined);
    }
  };
}

async function readCapped(res: Awaited<ReturnType<typeof undiciFetch>>): Promise<string> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (!res.body) return '';
  for await (const chunk of res.body) {
    size += chunk.byteLength;
    if (size > MAX_BODY_BYTES) throw new Error(`the answer is larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
