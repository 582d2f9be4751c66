import { randomBytes } from 'node:crypto';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { Address, OutScript } from '@scure/btc-signer';
import { btcSignerNetwork, parseRawBlock, type BitcoinNetwork } from '../src/bitcoin';
import type { BlockSource } from '../src/watcher/sources/nodeChainSource';

const le32 = (n: number) => { const b = new Uint8Array(4); new DataView(b.buffer).setUint32(0, n, true); return b; };
const le64 = (n: bigint) => { const b = new Uint8Array(8); new DataView(b.buffer).setBigUint64(0, n, true); return b; };
const varint = (n: number) => (n < 0xfd ? Uint8Array.of(n) : Uint8Array.of(0xfd, n & 0xff, n >> 8));
const cat = (...parts: Uint8Array[]) => { const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0)); let at = 0; for (const p of parts) { out.set(p, at); at += p.length; } return out; };

/** A fresh P2WPKH address of `network` (random key hash) and its output script. */
export function randomAddress(network: BitcoinNetwork): { address: string; script: Uint8Array } {
  const script = OutScript.encode({ type: 'wpkh', hash: randomBytes(20) });
  return { address: Address(btcSignerNetwork(network)).encode(OutScript.decode(script)), script };
}

/** A legacy-serialized transaction with one output per script. */
function tx(scripts: Uint8Array[]): Uint8Array {
  const outs = scripts.map((s) => cat(le64(1000n), varint(s.length), s));
  return cat(le32(2), Uint8Array.of(1), randomBytes(32), le32(0), Uint8Array.of(0), le32(0xffffffff), varint(outs.length), ...outs, le32(0));
}

/** A block on `prevHash` whose transactions (two outputs each) pay `scripts`, as hex. */
export function blockPaying(prevHash: string, scripts: Uint8Array[]): string {
  const txs: Uint8Array[] = [];
  for (let i = 0; i < scripts.length; i += 2) txs.push(tx(scripts.slice(i, i + 2)));
  const header = cat(le32(0x20000000), hexToBytes(prevHash).reverse(), randomBytes(32), le32(Math.floor(Date.now() / 1000)), le32(0x207fffff), randomBytes(4));
  return bytesToHex(cat(header, varint(txs.length), ...txs));
}

/** A node held in memory: the chain is an array of block hexes, extended by the caller. */
export class MemoryChain implements BlockSource {
  readonly blocks: string[] = [];
  private readonly hashes: string[] = [];

  /** Appends a block paying `scripts`; returns its height. */
  push(scripts: Uint8Array[]): number {
    const hex = blockPaying(this.hashes.at(-1) ?? '00'.repeat(32), scripts);
    this.blocks.push(hex);
    this.hashes.push(parseRawBlock(hex).hash);
    return this.blocks.length - 1;
  }

  async getBlockCount(): Promise<number> { return this.blocks.length - 1; }
  async getBlockHash(height: number): Promise<string> { return this.hashes[height]; }
  async getRawBlock(hash: string): Promise<string> { return this.blocks[this.hashes.indexOf(hash)]; }
}
