import { randomBytes } from 'node:crypto';
import { HDKey } from '@scure/bip32';
import { Address, OutScript } from '@scure/btc-signer';
import { btcSignerNetwork, generateTestAccountKey } from '../src/bitcoin';
import { T } from '../src/db/tables';
import { insertWatchedAddresses } from '../test/support/bulkWatched';
import { mustCall } from './http';
import type { BenchSystem, Merchant } from './system';

/** Rows of the watch phase are named with this prefix (sessions and payments), so cleanup finds them. */
export const WATCH_PREFIX = 'benchwatch';

/**
 * A merchant with a live-mode key and a BIP84 account key of the run's network: its live sessions hand
 * out real addresses of that network, as an operator's would. On mainnet the key is a random account
 * made here (the product refuses to make one up for real money; nobody pays it but the bench's blocks).
 */
export async function liveMerchant(sys: BenchSystem, name: string): Promise<Merchant> {
  const network = sys.config.bitcoinNetwork;
  const xpub = network === 'mainnet'
    ? HDKey.fromMasterSeed(randomBytes(32)).derive("m/84'/0'/0'").publicExtendedKey
    : generateTestAccountKey(network).tpub;
  const account = await mustCall<{ id: string }>(sys.baseUrl, sys.adminKey, 'POST', '/accounts', { name, xpub, onchain_settlement: 'merchant_wallet' });
  const key = await mustCall<{ secret_key: string }>(sys.baseUrl, sys.adminKey, 'POST', `/accounts/${account.id}/keys`, { livemode: true });
  return { id: account.id, key: key.secret_key };
}

/**
 * Grows the watched set by `count` live addresses: random P2WPKH addresses of the run's network (what a
 * block pays looks the same), made here and inserted by SQL in chunks (`insertWatchedAddresses`: one
 * `INSERT … SELECT … unnest` per table per chunk, each a copy of the template session with its own
 * address, session and payment). Returns the seconds it took.
 */
export async function fillWatched(
  sys: BenchSystem, template: { sessionId: string; paymentId: string }, count: number, tag: string, chunk = 100_000,
): Promise<number> {
  const coder = Address(btcSignerNetwork(sys.config.bitcoinNetwork));
  const t0 = performance.now();
  for (let done = 0, i = 0; done < count; done += chunk, i++) {
    const addresses = Array.from({ length: Math.min(chunk, count - done) },
      () => coder.encode(OutScript.decode(OutScript.encode({ type: 'wpkh', hash: randomBytes(20) }))));
    await insertWatchedAddresses(sys.db, template, { addresses }, `${WATCH_PREFIX}${tag}${String(i).padStart(3, '0')}`);
  }
  return Math.round((performance.now() - t0) / 100) / 10;
}

/** Deletes every row the watch phase made (sessions, their addresses and payments), whatever its chunks. */
export async function deleteWatchRows(sys: BenchSystem): Promise<void> {
  await sys.db.transaction(async (tx) => {
    await tx.raw('set local statement_timeout = 0');
    const like = `${WATCH_PREFIX}%`;
    await tx(T.payments).where('id', 'like', like).delete();
    await tx('onchain_addresses').where('checkout_session_id', 'like', like).delete();
    await tx(T.sessions).where('id', 'like', like).delete();
  });
  await sys.db('chain_outputs').delete();
  await sys.db('chain_blocks').delete();
}
