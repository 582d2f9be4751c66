/**
 * Where a webhook may be sent: only public addresses, in both modes, checked on the literal host and
 * again on every DNS answer, so a name pointing at 127.0.0.1, 10.x or 169.254.169.254 cannot turn our
 * worker into a proxy into the operator's network. Only the operator can open private networks
 * (`WEBHOOK_ALLOW_PRIVATE_NETWORKS=true`, for local development).
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { InvalidWebhookUrlError, WebhookDnsError } from './errors';
import { blockedIpReason } from './ipRules';

/** The operator's choice: may webhooks reach loopback, private and link-local addresses? (default no) */
export interface DeliveryPolicy {
  allowPrivateNetworks: boolean;
}

/** One resolved address, in the shape of `dns.lookup(…, { all: true })`. */
export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Resolver used by `resolveAndCheck`; defaults to `dns.lookup` (honours /etc/hosts like other clients). */
export type HostResolver = (hostname: string) => Promise<ResolvedAddress[]>;

/** Options of `resolveAndCheck`. */
export interface ResolveOptions extends DeliveryPolicy {
  resolver?: HostResolver;
}

/** A URL that passed every check, with the addresses the connection must use (no second lookup). */
export interface CheckedDestination {
  url: URL;
  /** Host without IPv6 brackets, as node:http wants it. */
  hostname: string;
  addresses: ResolvedAddress[];
  /** Every address is a public one (false only where private networks are allowed). */
  isPublic: boolean;
}

const defaultResolver: HostResolver = async (hostname) =>
  (await dnsLookup(hostname, { all: true })).map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));

function bareHost(url: URL): string {
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  return host.toLowerCase();
}

function isLocalhostName(host: string): boolean {
  // A trailing dot is the same name; RFC 6761 reserves localhost and all its subdomains for loopback.
  const name = host.endsWith('.') ? host.slice(0, -1) : host;
  return name === 'localhost' || name.endsWith('.localhost');
}

/** Why a literal host is not public (a localhost name or a non-public IP), or null. */
function privateHostReason(host: string): string | null {
  if (isLocalhostName(host)) return `${host} (loopback)`;
  if (isIP(host) !== 0) {
    const reason = blockedIpReason(host);
    if (reason) return `${host} (${reason})`;
  }
  return null;
}

/** Named in every refusal, so the developer who meets one learns the setting that lifts it. */
export const PRIVATE_NETWORKS_HINT =
  ' (for local development the operator can allow them with WEBHOOK_ALLOW_PRIVATE_NETWORKS=true)';

/** Parses `url` and throws `InvalidWebhookUrlError` unless it is http(s) and, unless allowed, not local. */
export function assertDeliverableUrl(url: string, options: DeliveryPolicy): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InvalidWebhookUrlError(`webhook URL "${url}" is not a valid absolute URL`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new InvalidWebhookUrlError(`webhook URL must use http: or https:, not ${parsed.protocol}`);
  }
  const host = bareHost(parsed);
  if (host === '') throw new InvalidWebhookUrlError('webhook URL has no host');
  if (options.allowPrivateNetworks) return parsed;
  const reason = privateHostReason(host);
  if (reason) throw new InvalidWebhookUrlError(`webhook URL must not point at ${reason}: only public addresses are allowed${PRIVATE_NETWORKS_HINT}`);
  return parsed;
}

/** Checks `url`, resolves its host (all addresses) and, unless allowed, refuses if any is non-public. */
export async function resolveAndCheck(url: string, options: ResolveOptions): Promise<CheckedDestination> {
  const parsed = assertDeliverableUrl(url, options);
  const hostname = bareHost(parsed);
  const family = isIP(hostname);
  if (family !== 0) {
    return { url: parsed, hostname, addresses: [{ address: hostname, family: family as 4 | 6 }], isPublic: privateHostReason(hostname) === null };
  }
  let addresses: ResolvedAddress[];
  try {
    addresses = await (options.resolver ?? defaultResolver)(hostname);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new WebhookDnsError(`cannot resolve webhook host ${hostname}: ${code}`);
  }
  if (addresses.length === 0) throw new WebhookDnsError(`webhook host ${hostname} has no addresses`);
  // Every answer must pass: the connection could use any of them (happy eyeballs, retries).
  const blocked = addresses.map(({ address }) => [address, blockedIpReason(address)] as const).find(([, reason]) => reason);
  if (blocked && !options.allowPrivateNetworks) {
    throw new InvalidWebhookUrlError(`webhook host ${hostname} resolves to ${blocked[0]} (${blocked[1]}): only public addresses are allowed${PRIVATE_NETWORKS_HINT}`);
  }
  return { url: parsed, hostname, addresses, isPublic: !blocked && !isLocalhostName(hostname) };
}
