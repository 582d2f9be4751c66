/**
 * Literal IP classification for live-mode delivery: which addresses are not on the public internet.
 * Works on raw bytes so every textual form (IPv4-mapped IPv6, zero-compressed, zone ids) is judged alike.
 */
import { isIPv4, isIPv6 } from 'node:net';

/** Why an address is refused, or null if it is a public unicast address. */
export type BlockedReason = string | null;

interface Range {
  bytes: number[];
  bits: number;
  label: string;
}

// Ranges that reach the operator's own host or network instead of the merchant's server (SSRF targets),
// plus those that are never unicast destinations at all.
const V4_BLOCKED: Range[] = [
  { bytes: [0, 0, 0, 0], bits: 8, label: '"this network" 0.0.0.0/8' },
  { bytes: [10, 0, 0, 0], bits: 8, label: 'private 10.0.0.0/8' },
  { bytes: [100, 64, 0, 0], bits: 10, label: 'carrier-grade NAT 100.64.0.0/10' },
  { bytes: [127, 0, 0, 0], bits: 8, label: 'loopback 127.0.0.0/8' },
  { bytes: [169, 254, 0, 0], bits: 16, label: 'link-local 169.254.0.0/16' },
  { bytes: [172, 16, 0, 0], bits: 12, label: 'private 172.16.0.0/12' },
  { bytes: [192, 0, 0, 0], bits: 24, label: 'IETF protocol assignments 192.0.0.0/24' },
  { bytes: [192, 168, 0, 0], bits: 16, label: 'private 192.168.0.0/16' },
  { bytes: [198, 18, 0, 0], bits: 15, label: 'benchmarking 198.18.0.0/15' },
  { bytes: [224, 0, 0, 0], bits: 4, label: 'multicast 224.0.0.0/4' },
  { bytes: [240, 0, 0, 0], bits: 4, label: 'reserved 240.0.0.0/4 (incl. broadcast)' },
];

const V6_BLOCKED: Range[] = [
  { bytes: [...Array(15).fill(0), 0], bits: 128, label: 'unspecified ::' },
  { bytes: [...Array(15).fill(0), 1], bits: 128, label: 'loopback ::1' },
  { bytes: [0xfc], bits: 7, label: 'unique-local fc00::/7' },
  { bytes: [0xfe, 0x80], bits: 10, label: 'link-local fe80::/10' },
  { bytes: [0xfe, 0xc0], bits: 10, label: 'site-local fec0::/10' },
  { bytes: [0xff], bits: 8, label: 'multicast ff00::/8' },
  // Translation and tunnel prefixes whose gateway may be inside the operator's network.
  { bytes: [0, 0x64, 0xff, 0x9b, 0, 0x01], bits: 48, label: 'local-use NAT64 64:ff9b:1::/48' },
  { bytes: [0x20, 0x01, 0, 0], bits: 32, label: 'Teredo 2001::/32' },
  { bytes: [0x20, 0x01, 0x0d, 0xb8], bits: 32, label: 'documentation 2001:db8::/32' },
  { bytes: [0x01, 0, 0, 0, 0, 0, 0, 0], bits: 64, label: 'discard-only 100::/64' },
];

// IPv6 forms that carry an IPv4 address which the kernel or a NAT64/6to4 gateway will actually reach.
const V4_EMBEDDINGS: { prefix: Range; offset: number }[] = [
  { prefix: { bytes: [...Array(10).fill(0), 0xff, 0xff], bits: 96, label: 'IPv4-mapped' }, offset: 12 },
  { prefix: { bytes: [...Array(8).fill(0), 0xff, 0xff, 0, 0], bits: 96, label: 'IPv4-translated' }, offset: 12 },
  { prefix: { bytes: Array(12).fill(0), bits: 96, label: 'IPv4-compatible' }, offset: 12 },
  { prefix: { bytes: [0, 0x64, 0xff, 0x9b, ...Array(8).fill(0)], bits: 96, label: 'NAT64' }, offset: 12 },
  { prefix: { bytes: [0x20, 0x02], bits: 16, label: '6to4' }, offset: 2 },
];

function matches(addr: Uint8Array, range: Range): boolean {
  for (let bit = 0; bit < range.bits; bit += 1) {
    const i = bit >> 3;
    const mask = 0x80 >> (bit & 7);
    if ((addr[i] & mask) !== ((range.bytes[i] ?? 0) & mask)) return false;
  }
  return true;
}

/** Parses a literal IPv4/IPv6 address (brackets and zone id allowed) into 4 or 16 bytes, or null. */
export function parseIp(text: string): Uint8Array | null {
  let host = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  const zone = host.indexOf('%');
  if (zone >= 0) host = host.slice(0, zone);
  if (isIPv4(host)) return Uint8Array.from(host.split('.').map(Number));
  if (!isIPv6(host)) return null;
  let tail: number[] = [];
  const lastColon = host.lastIndexOf(':');
  if (host.includes('.')) {
    // Trailing dotted quad (::ffff:1.2.3.4): turn it into two hextets' worth of bytes.
    tail = host.slice(lastColon + 1).split('.').map(Number);
    host = `${host.slice(0, lastColon + 1)}0:0`;
  }
  const [head, rest] = host.includes('::') ? host.split('::') : [host, undefined];
  const headParts = head ? head.split(':') : [];
  const restParts = rest === undefined ? [] : rest ? rest.split(':') : [];
  const zeros = rest === undefined ? 0 : 8 - headParts.length - restParts.length;
  const hextets = [...headParts, ...Array(zeros).fill('0'), ...restParts].map((h) => parseInt(h, 16));
  const bytes = new Uint8Array(16);
  hextets.forEach((h, i) => {
    bytes[2 * i] = h >> 8;
    bytes[2 * i + 1] = h & 0xff;
  });
  if (tail.length === 4) bytes.set(tail, 12);
  return bytes;
}

/** Classifies a literal IP address; returns a human reason if live mode must refuse it, else null. */
export function blockedIpReason(text: string): BlockedReason {
  const addr = parseIp(text);
  if (!addr) return `"${text}" is not an IP address`;
  if (addr.length === 4) return V4_BLOCKED.find((r) => matches(addr, r))?.label ?? null;
  for (const { prefix, offset } of V4_EMBEDDINGS) {
    if (!matches(addr, prefix)) continue;
    const v4 = addr.subarray(offset, offset + 4);
    // ::  and ::1 also fall under "IPv4-compatible"; let the IPv6 table name them properly below.
    if (prefix.label === 'IPv4-compatible' && v4[0] === 0) break;
    const inner = V4_BLOCKED.find((r) => matches(v4, r));
    if (inner) return `${prefix.label} ${inner.label}`;
  }
  return V6_BLOCKED.find((r) => matches(addr, r))?.label ?? null;
}
