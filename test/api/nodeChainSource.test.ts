import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { Address, OutScript } from '@scure/btc-signer';
import { BitcoinRpcClient, btcSignerNetwork, generateTestAccountKey, parseRawBlock } from '../../src/bitcoin';
import { T } from '../../src/db/tables';
import { watcherContext } from '../../src/watcher/context';
import { scanChainOnce } from '../../src/watcher/sources/nodeChainSource';
import { deleteWatchedAddresses, insertWatchedAddresses } from '../support/bulkWatched';
import { ADMIN_KEY, call, waitFor } from '../support/testSystem';
import { useMerchant, useTestSystem } from '../support/useTestSystem';

// A reorg in which the payment's transaction vanishes cannot be made on demand with btcd (it mines
// the transaction again), so a stand-in JSON-RPC node serves scripted chains of real serialized blocks.
// The file's own database starts with no scanned chain: the suite's scripted chain is the only one it sees.
const sys = useTestSystem({ env: { BITCOIN_NETWORK: 'regtest' } });
const m = useMerchant(sys, { xpub: generateTestAccountKey('regtest').tpub, onchain_settlement: 'merchant_wallet' });
let liveKey: string;
let chain: string[] = []; // block hex by height
let rpc: http.Server;
let client: BitcoinRpcClient;

beforeAll(async () => {
  liveKey = (await call(sys.baseUrl, ADMIN_KEY, 'POST', `/accounts/${m.id}/keys`, { livemode: true })).body.secret_key;
  rpc = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      const { id, method, params } = JSON.parse(body) as { id: number; method: string; params: unknown[] };
      const hashes = chain.map((hex) => parseRawBlock(hex).hash);
      const result = method === 'getblockcount' ? chain.length - 1
        : method === 'getblockhash' ? hashes[params[0] as number]
          : method === 'getblock' ? chain[hashes.indexOf(params[0] as string)] : null;
      res.end(JSON.stringify({ id, result, error: result === undefined ? { code: -8, message: 'out of range' } : null }));
    });
  });
  await new Promise<void>((r) => rpc.listen(0, '127.0.0.1', r));
  client = new BitcoinRpcClient({ url: `http://u:p@127.0.0.1:${(rpc.address() as AddressInfo).port}` });
});
afterAll(async () => { await new Promise((r) => rpc?.close(r)); });

const le32 = (n: number) => { const b = new Uint8Array(4); new DataView(b.buffer).setUint32(0, n, true); return b; };
const le64 = (n: bigint) => { const b = new Uint8Array(8); new DataView(b.buffer).setBigUint64(0, n, true); return b; };
const cat = (...parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((p) => [...p]));

/** A legacy-serialized transaction with one output paying `script`. */
function tx(script: Uint8Array, sats: bigint): Uint8Array {
  return cat(le32(2), Uint8Array.of(1), randomBytes(32), le32(0), Uint8Array.of(0), le32(0xffffffff),
    Uint8Array.of(1), le64(sats), Uint8Array.of(script.length), script, le32(0));
}

/** A block on top of `prevHash` holding `txs`, as hex. */
function block(prevHash: string, txs: Uint8Array[]): string {
  const header = cat(le32(0x20000000), hexToBytes(prevHash).reverse(), randomBytes(32), le32(Date.now() / 1000), le32(0x207fffff), randomBytes(4));
  return bytesToHex(cat(header, Uint8Array.of(txs.length), ...txs));
}

/** Extends `base` (block hexes) by `n` blocks; `pay` puts its transaction in the first new one. */
function extend(base: string[], n: number, pay?: Uint8Array): string[] {
  const out = [...base];
  for (let i = 0; i < n; i++) {
    const prev = out.length ? parseRawBlock(out[out.length - 1]).hash : '00'.repeat(32);
    out.push(block(prev, [tx(Uint8Array.of(0x51), 50n), ...(i === 0 && pay ? [pay] : [])]));
  }
  return out;
}

async function liveSession(amount: number) {
  const cs = (await call(sys.baseUrl, liveKey, 'POST', '/checkout-sessions', { currency: 'SATS', amount, payment_methods: ['onchain'] })).body;
  const address = (await call(sys.baseUrl, liveKey, 'GET', `/payments/${cs.payment_id}`)).body.payment_method_options.onchain.address;
  return { cs, script: OutScript.encode(Address(btcSignerNetwork('regtest')).decode(address)) };
}

const scan = (minConfirmations: number) => scanChainOnce(watcherContext(sys.ctx), client, {
  minConfirmations, monitoringMs: 3_600_000, network: 'regtest', startBehind: 100,
});

test('a payment whose block is reorged away before it counted is dropped, and never credited', async () => {
  const { cs, script } = await liveSession(4000);
  const common = extend([], 2);
  chain = extend(common, 2, tx(script, 4000n)); // heights 0–3, the payment at height 2
  expect(await scan(3)).toMatchObject({ tip: 3, rewound: 0, counted: 0 });
  expect(await sys.db('chain_outputs').where({ status: 'seen' })).toHaveLength(1);

  chain = extend(common, 3); // a longer competing chain without the transaction
  expect(await scan(3)).toMatchObject({ tip: 4, rewound: 2, counted: 0 });
  expect(await sys.db('chain_outputs')).toEqual([]);
  chain = extend(chain, 3);
  expect(await scan(3)).toMatchObject({ counted: 0 });
  expect(await sys.db(T.receipts).where({ checkout_session_id: cs.id })).toEqual([]);
  expect((await call(sys.baseUrl, liveKey, 'GET', `/checkout-sessions/${cs.id}`)).body).toMatchObject({ status: 'active', target_amount_paid: null });
});

test('a counted payment whose block is reorged away is flagged for the operator, and counts again (once) if re-mined', async () => {
  const { cs, script } = await liveSession(2500);
  const payment = tx(script, 2500n);
  const base = extend(chain, 1);
  chain = extend(base, 1, payment);
  expect(await scan(1)).toMatchObject({ counted: 1 });
  await waitFor(() => call(sys.baseUrl, liveKey, 'GET', `/checkout-sessions/${cs.id}`).then((r) => r.body), (s) => s.status === 'paid');

  chain = extend(base, 2); // the block vanishes
  await scan(1);
  expect(await sys.db('chain_outputs')).toMatchObject([{ status: 'reorged', amount_sats: '2500' }]);
  chain = extend(chain, 1, payment); // mined again later
  await scan(1);
  expect(await sys.db('chain_outputs')).toMatchObject([{ status: 'counted' }]);
  expect(await sys.db(T.receipts).where({ checkout_session_id: cs.id })).toHaveLength(1);
});

test('with 110,000 other live addresses watched (all sorting before it), a payment to a session\'s address is credited', async () => {
  const { cs, script } = await liveSession(3100);
  // Made by SQL, not the API: 'bcrt10…' sorts before every 'bcrt1q…' address, so the session's address is
  // past the 110,000th in address order, where a capped watch list (100,000 used to be the cap) stops.
  await insertWatchedAddresses(sys.db, { sessionId: cs.id, paymentId: cs.payment_id }, { count: 110_000 }, 'bcrt10');
  try {
    chain = extend(chain, 1, tx(script, 3100n));
    expect(await scan(1)).toMatchObject({ counted: 1 });
    await waitFor(() => call(sys.baseUrl, liveKey, 'GET', `/checkout-sessions/${cs.id}`).then((r) => r.body), (s) => s.status === 'paid');
    expect(await sys.db(T.receipts).where({ checkout_session_id: cs.id })).toMatchObject([{ amount_sats: '3100' }]);
  } finally {
    await deleteWatchedAddresses(sys.db, 'bcrt10');
  }
}, 180_000);
