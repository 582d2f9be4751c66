/**
 * Which IP addresses an outbound request on a merchant's behalf (a webhook, an LNURL / Lightning Address
 * lookup for a payout) may reach: public unicast addresses only. The ranges are IANA's special-purpose
 * registries (RFC 6890) as classified by ipaddr.js's `range()`, a maintained library that tracks them
 * (documentation, benchmarking, CGNAT, 6to4 relay, AS112, AMT, ORCHID, segment routing, 3fff::/20 …),
 * so a new registry entry is a library update, not an edit here. On top of the registry: IPv6 outside
 * the global-unicast block 2000::/3 (so `::/96` IPv4-compatible and other unassigned forms are refused),
 * and the host's own interface addresses (a service bound to 0.0.0.0 is reachable at the host's public
 * address too, and a firewall does not stop the host from talking to itself).
 */
import { isIP } from 'node:net';
import os from 'node:os';
import ipaddr from 'ipaddr.js';

/** Why an address must not be reached, or null if it is a public unicast address. */
export type BlockedReason = string | null;

const V4_NAMES: Record<string, string> = {
  unspecified: '"this network" 0.0.0.0/8',
  broadcast: 'limited broadcast',
  multicast: 'multicast',
  linkLocal: 'link-local',
  loopback: 'loopback',
  carrierGradeNat: 'shared address space (carrier-grade NAT)',
  private: 'private',
  reserved: 'IANA special-purpose (documentation, benchmarking, protocol assignments, 6to4 relay or future use)',
  as112: 'AS112 DNS sink',
  amt: 'AMT relay anycast',
};

const V6_NAMES: Record<string, string> = {
  unspecified: 'unspecified ::',
  loopback: 'loopback ::1',
  linkLocal: 'link-local',
  multicast: 'multicast',
  uniqueLocal: 'unique-local',
  deprecatedSiteLocal: 'site-local',
  discard: 'discard-only',
  rfc6052: 'local-use NAT64',
  '6to4': '6to4',
  teredo: 'Teredo',
  benchmarking: 'benchmarking',
  amt: 'AMT relay anycast',
  as112v6: 'AS112 DNS sink',
  deprecatedOrchid: 'ORCHID',
  orchid2: 'ORCHIDv2',
  droneRemoteIdProtocolEntityTags: 'drone remote ID tags',
  segmentRouting: 'segment routing SIDs',
  reserved: 'IANA special-purpose (documentation or reserved)',
};

const GLOBAL_UNICAST_V6 = ipaddr.IPv6.parseCIDR('2000::/3');
/** NAT64's well-known prefix: on an IPv6-only host with DNS64 every public name resolves into it. */
const NAT64_WELL_KNOWN = ipaddr.IPv6.parseCIDR('64:ff9b::/96');

/** The registry entry (`192.0.2.0/24`) of a special-purpose range that `addr` falls in, from ipaddr.js's own table. */
function cidrOf(addr: ipaddr.IPv4 | ipaddr.IPv6, range: string): string {
  const table = (Object.getPrototypeOf(addr) as { SpecialRanges: Record<string, unknown> }).SpecialRanges[range];
  const entries = (Array.isArray(table) && Array.isArray(table[0]) ? table : [table]) as [ipaddr.IPv4 | ipaddr.IPv6, number][];
  const hit = entries.find((entry) => Array.isArray(entry) && addr.match(entry));
  return hit ? `${hit[0].toString()}/${hit[1]}` : '';
}

function v4Reason(addr: ipaddr.IPv4): BlockedReason {
  const range: string = addr.range();
  if (range === 'unicast') return null;
  return `${V4_NAMES[range] ?? range} ${cidrOf(addr, range)}`.trim();
}

function v6Reason(addr: ipaddr.IPv6): BlockedReason {
  const range: string = addr.range();
  // Forms that carry an IPv4 address the kernel or a translator will actually reach: judge that address.
  if (range === 'ipv4Mapped' || range === 'rfc6145' || addr.match(NAT64_WELL_KNOWN)) {
    const inner = new ipaddr.IPv4(addr.toByteArray().slice(12)); // the last 32 bits in all three forms
    const reason = v4Reason(inner);
    const form = range === 'ipv4Mapped' ? 'IPv4-mapped' : range === 'rfc6145' ? 'IPv4-translated' : 'NAT64';
    return reason ? `${form} ${reason}` : null;
  }
  if (range !== 'unicast') return `${V6_NAMES[range] ?? range} ${cidrOf(addr, range)}`.trim();
  if (!addr.match(GLOBAL_UNICAST_V6)) {
    const compatible = addr.parts.slice(0, 6).every((p) => p === 0);
    return compatible ? 'IPv4-compatible ::/96 (deprecated)' : 'outside global unicast 2000::/3';
  }
  return null;
}

/** The address as one canonical string (IPv4-mapped IPv6 as its IPv4), for comparing with interfaces. */
function canonical(addr: ipaddr.IPv4 | ipaddr.IPv6): string {
  if (addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress()) return (addr as ipaddr.IPv6).toIPv4Address().toString();
  return addr.toNormalizedString();
}

/** The interface (e.g. `eth0`) that holds this address on this host, or null. Read at each call: addresses change. */
function ownInterface(addr: ipaddr.IPv4 | ipaddr.IPv6): string | null {
  const wanted = canonical(addr);
  for (const [name, entries] of Object.entries(os.networkInterfaces())) {
    for (const entry of entries ?? []) {
      const own = parseLiteral(entry.address);
      if (own && canonical(own) === wanted) return name;
    }
  }
  return null;
}

/** Parses a literal IPv4/IPv6 address (brackets and zone id allowed), or null when it is not one. */
export function parseLiteral(text: string): ipaddr.IPv4 | ipaddr.IPv6 | null {
  const host = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  const bare = host.split('%')[0];
  // node:net decides what is a literal (the forms a socket would accept), ipaddr.js what it means.
  const family = isIP(bare);
  if (family === 0) return null;
  if (family === 4) return ipaddr.IPv4.parse(bare);
  // ipaddr.js reads any trailing dotted quad as IPv4-mapped (`::8.8.8.8` would become ::ffff:8.8.8.8),
  // so the WHATWG URL parser first writes the address in plain hextets (`::808:808`).
  return ipaddr.IPv6.parse(new URL(`http://[${bare}]/`).hostname.slice(1, -1));
}

/** Classifies a literal IP address; a human reason if it must not be reached, else null. */
export function blockedIpReason(text: string): BlockedReason {
  const addr = parseLiteral(text);
  if (!addr) return `"${text}" is not an IP address`;
  const reason = addr.kind() === 'ipv4' ? v4Reason(addr as ipaddr.IPv4) : v6Reason(addr as ipaddr.IPv6);
  if (reason) return reason;
  const iface = ownInterface(addr);
  return iface ? `this host's own address (interface ${iface})` : null;
}
