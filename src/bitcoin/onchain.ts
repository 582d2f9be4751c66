import { HDKey } from '@scure/bip32';
import { Address, p2wpkh } from '@scure/btc-signer';
import { randomBytes } from '@noble/hashes/utils.js';
import { InvalidDerivationIndexError, UnsupportedNetworkError } from './errors';
import { parseExtendedPublicKey, TESTNET_VERSIONS } from './extendedKey';
import { assertNetwork, btcSignerNetwork, type BitcoinNetwork } from './network';

export type { BitcoinNetwork } from './network';
export { extendedKeyMaterial, parseExtendedPublicKey, type ParsedExtendedPublicKey, type ExtendedPublicKeyPrefix } from './extendedKey';

// BIP84 receive (external) chain; change (1) is the wallet's business, not ours.
const RECEIVE_CHAIN = 0;
const MAX_NON_HARDENED_INDEX = 0x7fffffff;

/**
 * The BIP84 P2WPKH receive address `…/0/index` of an account-level xpub/zpub (mainnet) or
 * tpub/vpub (testnet, regtest). Throws `InvalidExtendedKeyError` / `InvalidDerivationIndexError`.
 */
export function deriveReceiveAddress(extendedPubKey: string, index: number, network: BitcoinNetwork): string {
  if (!Number.isSafeInteger(index) || index < 0 || index > MAX_NON_HARDENED_INDEX) {
    throw new InvalidDerivationIndexError(`address index must be an integer in 0…${MAX_NON_HARDENED_INDEX}, got ${index}`);
  }
  const child = receiveChain(extendedPubKey, network).deriveChild(index);
  if (!child.publicKey) throw new InvalidDerivationIndexError(`no public key at index ${index}`);
  const address = p2wpkh(child.publicKey, btcSignerNetwork(network)).address;
  if (!address) throw new InvalidDerivationIndexError(`could not encode the address at index ${index}`);
  return address;
}

/**
 * The account's receive-chain key (`…/0`), kept for the accounts used lately: parsing an xpub and
 * deriving a level decompress a curve point each, so an address costs one derivation instead of three.
 */
function receiveChain(extendedPubKey: string, network: BitcoinNetwork): HDKey {
  const key = `${network}:${extendedPubKey}`;
  let chain = receiveChains.get(key);
  if (chain) {
    receiveChains.delete(key); // re-inserted below: the Map's order is least recently used first
  } else {
    chain = parseExtendedPublicKey(extendedPubKey, network).hdKey.deriveChild(RECEIVE_CHAIN);
    if (receiveChains.size >= RECEIVE_CHAIN_CACHE_SIZE) receiveChains.delete(receiveChains.keys().next().value!);
  }
  receiveChains.set(key, chain);
  return chain;
}

const RECEIVE_CHAIN_CACHE_SIZE = 1000;
const receiveChains = new Map<string, HDKey>();

/** A generated BIP84 account key pair (m/84'/1'/0') in testnet serialisation. */
export interface TestAccountKey {
  tpub: string;
  tprv: string;
}

/**
 * A fresh random BIP84 account key m/84'/1'/0' for test mode. Refused on mainnet: real money must go
 * to a wallet the merchant controls, never to a key this process made up.
 */
export function generateTestAccountKey(network: BitcoinNetwork): TestAccountKey {
  assertNetwork(network);
  if (network === 'mainnet') {
    throw new UnsupportedNetworkError('test account keys are testnet/regtest only; configure your wallet xpub for mainnet');
  }
  const account = HDKey.fromMasterSeed(randomBytes(32), TESTNET_VERSIONS).derive("m/84'/1'/0'");
  return { tpub: account.publicExtendedKey, tprv: account.privateExtendedKey };
}

/** True when `address` is a valid Bitcoin address of `network` (bc1…/1…/3… mainnet, tb1… testnet, bcrt1… regtest). */
export function isValidAddress(address: string, network: BitcoinNetwork): boolean {
  assertNetwork(network);
  if (typeof address !== 'string' || address.length === 0 || address.length > 100) return false;
  try {
    Address(btcSignerNetwork(network)).decode(address);
    return true;
  } catch {
    return false;
  }
}
