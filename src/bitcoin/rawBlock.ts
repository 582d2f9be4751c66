import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, concatBytes, hexToBytes } from '@noble/hashes/utils.js';
import { ChainRpcError } from './errors';

/** One transaction output of a block: what a chain scan matches against watched scripts. */
export interface BlockOutput {
  txid: string;
  vout: number;
  /** The output's scriptPubKey, lowercase hex. */
  scriptHex: string;
  valueSats: bigint;
}

/** A block as the scan needs it: its hash, its parent's hash and every output. */
export interface ParsedBlock {
  hash: string;
  prevHash: string;
  outputs: BlockOutput[];
}

const HEADER_BYTES = 80;

/**
 * Parses a serialized block (`getblock <hash> 0`, the same hex from Bitcoin Core and btcd): exact
 * integer sats straight from the wire, never the JSON float `value` of the verbose forms. Txids are
 * computed from the non-witness serialization, as BIP144 defines them.
 */
export function parseRawBlock(blockHex: string): ParsedBlock {
  if (!/^([0-9a-f]{2})+$/i.test(blockHex)) throw new ChainRpcError('block is not hex');
  const bytes = hexToBytes(blockHex);
  if (bytes.length < HEADER_BYTES + 1) throw new ChainRpcError('block is shorter than its header');
  const r = new Reader(bytes);
  const header = r.take(HEADER_BYTES);
  const hash = reversedHex(sha256d(header));
  const prevHash = reversedHex(header.subarray(4, 36));
  const outputs: BlockOutput[] = [];
  const txCount = r.varint();
  for (let t = 0; t < txCount; t++) outputs.push(...readTransaction(r));
  if (!r.done()) throw new ChainRpcError('block has trailing bytes');
  return { hash, prevHash, outputs };
}

function readTransaction(r: Reader): BlockOutput[] {
  const start = r.pos;
  r.take(4); // version
  let segwit = false;
  if (r.peek() === 0x00) {
    r.take(1);
    if (r.take(1)[0] !== 0x01) throw new ChainRpcError('bad segwit flag');
    segwit = true;
  }
  const bodyStart = r.pos;
  const inputs = r.varint();
  for (let i = 0; i < inputs; i++) {
    r.take(36); // previous txid + index
    r.take(r.varint()); // scriptSig
    r.take(4); // sequence
  }
  const outputCount = r.varint();
  const scripts: { valueSats: bigint; scriptHex: string }[] = [];
  for (let o = 0; o < outputCount; o++) {
    const valueSats = r.u64();
    scripts.push({ valueSats, scriptHex: bytesToHex(r.take(r.varint())) });
  }
  const bodyEnd = r.pos;
  if (segwit) for (let i = 0; i < inputs; i++) for (let n = r.varint(), k = 0; k < n; k++) r.take(r.varint());
  const lockTime = r.take(4);
  const stripped = concatBytes(r.bytes.subarray(start, start + 4), r.bytes.subarray(bodyStart, bodyEnd), lockTime);
  const txid = reversedHex(sha256d(stripped));
  return scripts.map((s, vout) => ({ txid, vout, ...s }));
}

class Reader {
  pos = 0;
  constructor(readonly bytes: Uint8Array) {}
  take(n: number): Uint8Array {
    if (n < 0 || this.pos + n > this.bytes.length) throw new ChainRpcError('block ends inside a field');
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  peek(): number {
    if (this.pos >= this.bytes.length) throw new ChainRpcError('block ends inside a field');
    return this.bytes[this.pos];
  }
  u64(): bigint {
    const b = this.take(8);
    return new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, true);
  }
  varint(): number {
    const first = this.take(1)[0];
    if (first < 0xfd) return first;
    const width = first === 0xfd ? 2 : first === 0xfe ? 4 : 8;
    const b = this.take(width);
    let value = 0n;
    for (let i = width - 1; i >= 0; i--) value = (value << 8n) | BigInt(b[i]);
    // No real block holds more than a few million of anything; a bigger count is garbage.
    if (value > 100_000_000n) throw new ChainRpcError('implausible count in block');
    return Number(value);
  }
  done(): boolean {
    return this.pos === this.bytes.length;
  }
}

function sha256d(data: Uint8Array): Uint8Array {
  return sha256(sha256(data));
}

function reversedHex(bytes: Uint8Array): string {
  return bytesToHex(Uint8Array.from(bytes).reverse());
}
