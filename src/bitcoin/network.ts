import { NETWORK, TEST_NETWORK } from '@scure/btc-signer';
import { UnsupportedNetworkError } from './errors';

/** The Bitcoin networks this processor can run on. */
export type BitcoinNetwork = 'mainnet' | 'testnet' | 'signet' | 'regtest';

/** Every network name accepted in configuration. */
export const BITCOIN_NETWORKS: readonly BitcoinNetwork[] = ['mainnet', 'testnet', 'signet', 'regtest'];

/** Address parameters in the shape @scure/btc-signer expects. */
export type BtcSignerNetwork = typeof NETWORK;

// Regtest shares testnet's base58 versions; only the bech32 prefix differs.
const REGTEST_NETWORK: BtcSignerNetwork = { ...TEST_NETWORK, bech32: 'bcrt' };

/** Throws `UnsupportedNetworkError` unless `network` is one of ours (guards untyped config input). */
export function assertNetwork(network: string): asserts network is BitcoinNetwork {
  if (!(BITCOIN_NETWORKS as readonly string[]).includes(network)) {
    throw new UnsupportedNetworkError(`unknown Bitcoin network "${network}" (expected mainnet, testnet, signet or regtest)`);
  }
}

/** The @scure/btc-signer address parameters of `network`. */
export function btcSignerNetwork(network: BitcoinNetwork): BtcSignerNetwork {
  assertNetwork(network);
  if (network === 'mainnet') return NETWORK;
  // Signet addresses are testnet addresses (tb1…, tpub/vpub keys); only invoices differ (lntbs…).
  return network === 'regtest' ? REGTEST_NETWORK : TEST_NETWORK;
}

// BOLT11 currency prefixes (after "ln"): signet has its own, unlike its addresses.
const INVOICE_PREFIX: Record<BitcoinNetwork, string> = { mainnet: 'bc', testnet: 'tb', signet: 'tbs', regtest: 'bcrt' };

/** The BOLT11 currency prefix of `network`: invoices start with `ln` + this (lnbc…, lntb…, lntbs…, lnbcrt…). */
export function invoicePrefix(network: BitcoinNetwork): string {
  assertNetwork(network);
  return INVOICE_PREFIX[network];
}

/** The network object the `bolt11` package wants for encoding (its `Network` type). */
export function bolt11Network(network: BitcoinNetwork): {
  bech32: string;
  pubKeyHash: number;
  scriptHash: number;
  validWitnessVersions: number[];
} {
  const n = btcSignerNetwork(network);
  return { bech32: invoicePrefix(network), pubKeyHash: n.pubKeyHash, scriptHash: n.scriptHash, validWitnessVersions: [0, 1] };
}
