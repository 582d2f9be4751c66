import { HDKey } from '@scure/bip32';
import { createBase58check } from '@scure/base';
import { sha256 } from '@noble/hashes/sha2.js';
import { InvalidExtendedKeyError } from './errors';
import { assertNetwork, type BitcoinNetwork } from './network';

/** The serialisation prefixes we accept for a BIP84 account key. */
export type ExtendedPublicKeyPrefix = 'xpub' | 'zpub' | 'tpub' | 'vpub';

/** A validated account-level extended public key, ready for child derivation. */
export interface ParsedExtendedPublicKey {
  hdKey: HDKey;
  prefix: ExtendedPublicKeyPrefix;
}

interface VersionInfo {
  prefix: string;
  mainnet: boolean;
  kind: 'public' | 'private';
  /** Why we refuse it, when we do (script types other than P2WPKH would give the wallet other addresses). */
  refusal?: string;
  /** The partner version (private ↔ public) that @scure/bip32 wants alongside. */
  partner: number;
}

// SLIP-132 version bytes. BIP84 keys are often exported as zpub/vpub; the key material is the same.
const VERSIONS = new Map<number, VersionInfo>([
  [0x0488b21e, { prefix: 'xpub', mainnet: true, kind: 'public', partner: 0x0488ade4 }],
  [0x04b24746, { prefix: 'zpub', mainnet: true, kind: 'public', partner: 0x04b2430c }],
  [0x043587cf, { prefix: 'tpub', mainnet: false, kind: 'public', partner: 0x04358394 }],
  [0x045f1cf6, { prefix: 'vpub', mainnet: false, kind: 'public', partner: 0x045f18bc }],
  [0x049d7cb2, { prefix: 'ypub', mainnet: true, kind: 'public', partner: 0x049d7878, refusal: 'BIP49 (P2SH-P2WPKH)' }],
  [0x044a5262, { prefix: 'upub', mainnet: false, kind: 'public', partner: 0x044a4e28, refusal: 'BIP49 (P2SH-P2WPKH)' }],
  [0x0488ade4, { prefix: 'xprv', mainnet: true, kind: 'private', partner: 0x0488b21e }],
  [0x04b2430c, { prefix: 'zprv', mainnet: true, kind: 'private', partner: 0x04b24746 }],
  [0x049d7878, { prefix: 'yprv', mainnet: true, kind: 'private', partner: 0x049d7cb2 }],
  [0x04358394, { prefix: 'tprv', mainnet: false, kind: 'private', partner: 0x043587cf }],
  [0x045f18bc, { prefix: 'vprv', mainnet: false, kind: 'private', partner: 0x045f1cf6 }],
  [0x044a4e28, { prefix: 'uprv', mainnet: false, kind: 'private', partner: 0x044a5262 }],
]);

/** BIP32 version bytes for testnet/regtest extended keys (tpub/tprv). */
export const TESTNET_VERSIONS = { public: 0x043587cf, private: 0x04358394 } as const;

// BIP84 account keys sit at m/84'/coin'/account': depth 3.
const ACCOUNT_DEPTH = 3;
const base58check = createBase58check(sha256);

/**
 * The key material of an extended public key: its chain code and public key (hex), without the version,
 * depth, parent fingerprint and child number. The same key spelled xpub/zpub (or tpub/vpub) gives the
 * same material, hence the same addresses: what uniqueness between accounts must compare. Throws
 * `InvalidExtendedKeyError` on a string that is not an extended key.
 */
export function extendedKeyMaterial(key: string): string {
  let payload: Uint8Array;
  try {
    payload = base58check.decode(key.trim());
  } catch {
    throw new InvalidExtendedKeyError('not an extended key: base58check decoding failed');
  }
  if (payload.length !== 78) throw new InvalidExtendedKeyError(`not an extended key: ${payload.length} bytes, expected 78`);
  // 4 version, 1 depth, 4 parent fingerprint, 4 child number, 32 chain code, 33 key.
  return Buffer.from(payload.subarray(13)).toString('hex');
}

/**
 * Validates `key` as a BIP84 account-level extended public key for `network` (xpub/zpub on mainnet,
 * tpub/vpub on testnet and regtest). Throws `InvalidExtendedKeyError` saying what is wrong.
 */
export function parseExtendedPublicKey(key: string, network: BitcoinNetwork): ParsedExtendedPublicKey {
  assertNetwork(network);
  if (typeof key !== 'string' || key.trim() === '') throw new InvalidExtendedKeyError('extended public key is empty');
  const trimmed = key.trim();
  let payload: Uint8Array;
  try {
    payload = base58check.decode(trimmed);
  } catch {
    throw new InvalidExtendedKeyError('not an extended key: base58check decoding failed (typo or truncated key?)');
  }
  if (payload.length !== 78) throw new InvalidExtendedKeyError(`not an extended key: ${payload.length} bytes, expected 78`);
  const version = new DataView(payload.buffer, payload.byteOffset, 4).getUint32(0, false);
  const info = VERSIONS.get(version);
  if (!info) throw new InvalidExtendedKeyError(`unknown extended key version 0x${version.toString(16).padStart(8, '0')}`);
  if (info.kind === 'private') {
    throw new InvalidExtendedKeyError(`a private key (${info.prefix}) was given: supply the account's public key, never a private one`);
  }
  if (info.refusal) {
    throw new InvalidExtendedKeyError(`${info.prefix} is a ${info.refusal} key; this processor derives BIP84 native segwit addresses (use xpub/zpub or tpub/vpub)`);
  }
  const wantMainnet = network === 'mainnet';
  if (info.mainnet !== wantMainnet) {
    const expected = wantMainnet ? 'xpub or zpub' : 'tpub or vpub';
    throw new InvalidExtendedKeyError(`${info.prefix} is a ${info.mainnet ? 'mainnet' : 'testnet'} key but the network is ${network} (expected ${expected})`);
  }
  let hdKey: HDKey;
  try {
    hdKey = HDKey.fromExtendedKey(trimmed, { public: version, private: info.partner });
  } catch (err) {
    throw new InvalidExtendedKeyError(`invalid extended public key: ${(err as Error).message}`);
  }
  if (hdKey.depth !== ACCOUNT_DEPTH) {
    throw new InvalidExtendedKeyError(`expected an account-level key (depth 3, m/84'/coin'/account'), got depth ${hdKey.depth}`);
  }
  return { hdKey, prefix: info.prefix as ExtendedPublicKeyPrefix };
}
