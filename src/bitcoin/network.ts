import { NETWORK, TEST_NETWORK } from '@scure/btc-signer';
import { UnsupportedNetworkError } from './errors';

/** The Bitcoin networks this processor can run on. */
export type BitcoinNetwork = 'mainnet' | 'testnet' | 'regtest';

/** Address parameters in the shape @scure/btc-signer expects. */
export type BtcSignerNetwork = typeof NETWORK;

// Regtest shares testnet's base58 versions; only the bech32 prefix differs.
const REGTEST_NETWORK: BtcSignerNetwork = { ...TEST_NETWORK, bech32: 'bcrt' };

/** Throws `UnsupportedNetworkError` unless `network` is one of ours (guards untyped config input). */
export function assertNetwork(network: string): asserts network is BitcoinNetwork {
  if (network !== 'mainnet' && network !== 'testnet' && network !== 'regtest') {
    throw new UnsupportedNetworkError(`unknown Bitcoin network "${network}" (expected mainnet, testnet or regtest)`);
  }
}

/** The @scure/btc-signer address parameters of `network`. */
export function btcSignerNetwork(network: BitcoinNetwork): BtcSignerNetwork {
  assertNetwork(network);
  if (network === 'mainnet') return NETWORK;
  return network === 'testnet' ? TEST_NETWORK : REGTEST_NETWORK;
}

/** The network object the `bolt11` package wants for encoding (its `Network` type). */
export function bolt11Network(network: BitcoinNetwork): {
  bech32: string;
  pubKeyHash: number;
  scriptHash: number;
  validWitnessVersions: number[];
} {
  const n = btcSignerNetwork(network);
  return { bech32: n.bech32, pubKeyHash: n.pubKeyHash, scriptHash: n.scriptHash, validWitnessVersions: [0, 1] };
}
