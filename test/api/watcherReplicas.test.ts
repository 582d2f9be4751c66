import { randomBytes } from 'node:crypto';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { Address, OutScript } from '@scure/btc-signer';
import { BitcoinRpcClient, btcSignerNetwork, EsploraClient, generateTestAccountKey, LndRestNode, parseRawBlock } from '../../src/bitcoin';
import { createDb, type Db } from '../../src/db/knex';
import { T } from '../../src/db/tables';
import { createTemporalClient } from '../../src/temporal/client';
import { watcherContext } from '../../src/watcher/context';
import type { WatcherContext } from '../../src/watcher/ingest';
import { redeliverPending } from '../../src/watcher/redeliver';
import { pollOnchainOnce } from '../../src/watcher/sources/esploraSource';
import { followLightning } from '../../src/watcher/sources/lightningSource';
import { scanChainOnce } from '../../src/watcher/sources/nodeChainSource';
import { ADMIN_KEY, call, createMerchant, waitFor } from '../support/testSystem';
import { useTestSystem } from '../support/useTestSystem';
import { startStandIn as standIn } from '../unit/bitcoin/support/standInServer';

/**
 * Watchers run as replicas (two or more processes, docs/cluster.md): every source of every replica sees
 * the same money. Here two watchers, each with its own database pool and its own Temporal connection as
 * two processes would have, run each source at the same moment against the same node; the money must be
 * one receipt, credited once.
 */
let liveKey: string;
let testKey: string;
let secondDb: Db;
let closeSecond: () => Promise<void>;
let watchers: [WatcherContext, WatcherContext];

const sys = useTestSystem({
  env: { BITCOIN_NETWORK: 'regtest', MONITORING_HOURS: '1' },
  beforeStop: async (s) => {
    await s.db('chain_outputs').delete();
    await s.db('chain_blocks').delete();
    await closeSecond?.();
    await secondDb?.destroy();
  },
});
beforeAll(async () => {
  const m = await createMerchant(sys.baseUrl, { xpub: generateTestAccountKey('regtest').tpub, onchain_settlement: 'merchant_wallet' });
  testKey = m.key;
  liveKey = (await call(sys.baseUrl, ADMIN_KEY, 'POST', `/accounts/${m.id}/keys`, { livemode: true })).body.secret_key;
  secondDb = createDb(process.env.CHECKOUT_TEST_DATABASE_URL!, { min: 0, max: 5 });
  const second = await createTemporalClient(process.env.CHECKOUT_TEST_TEMPORAL_ADDRESS!, sys.ctx.config.temporal.namespace);
  closeSecond = () => second.connection.close();
  const first = watcherContext(sys.ctx);
  watchers = [first, { ...first, db: secondDb, temporal: second.client, log: first.log.child({ replica: 2 }) }];
  // The block scan's cursor is one per database: this file's scripted chain replaces any other file's.
  await sys.db('chain_outputs').delete();
  await sys.db('chain_blocks').delete();
});

const read = (key: string, id: string) => call(sys.baseUrl, key, 'GET', `/checkout-sessions/${id}`).then((r) => r.body);

/** Session, receipts and ledger after the money was seen by both watchers: exactly one credit of `amount`. */
async function expectCreditedOnce(key: string, sessionId: string, amount: number): Promise<void> {
  const s = await waitFor(() => read(key, sessionId), (x) => x.status === 'paid');
  const receipts = await sys.db(T.receipts).where({ checkout_session_id: sessionId });
  expect(receipts).toHaveLength(1);
  // Give a second (wrong) credit time to land before counting the ledger movements.
  await new Promise((r) => setTimeout(r, 1_500));
  expect((await read(key, sessionId)).target_amount_paid).toBe(amount);
  expect(s.target_amount_paid).toBe(amount);
  const payments = await sys.db('ledger_transactions').where({ receipt_id: receipts[0].id, type: 'payment' });
  expect(payments).toHaveLength(1);
}

/** Runs `pass` on both watchers at once, `rounds` times (a pass that loses a race may fail: the loop retries it). */
async function bothAtOnce(rounds: number, pass: (w: WatcherContext) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < rounds; i++) await Promise.allSettled(watchers.map(pass));
}

test('two watchers polling the same Esplora credit a payment once', async () => {
  const cs = (await call(sys.baseUrl, liveKey, 'POST', '/checkout-sessions', { currency: 'SATS', amount: 31000, payment_methods: ['onchain'] })).body;
  const address = (await call(sys.baseUrl, liveKey, 'GET', `/payments/${cs.payment_id}`)).body.payment_method_options.onchain.address;
  const txid = bytesToHex(randomBytes(32));
  const esplora = await standIn((req, res) => {
    if (req.url === `/address/${address}/txs`) {
      return res.end(JSON.stringify([{ txid, status: { confirmed: true, block_height: 100 }, vout: [{ scriptpubkey_address: address, value: 31000 }] }]));
    }
    res.end('[]');
  });
  try {
    const opts = { minConfirmations: 1, monitoringMs: 3_600_000, network: 'regtest' as const };
    await bothAtOnce(3, (w) => pollOnchainOnce(w, new EsploraClient(esplora.url), opts));
    await expectCreditedOnce(liveKey, cs.id, 31000);
  } finally {
    await esplora.close();
  }
});

test('two watchers scanning the same node\'s blocks credit a payment once', async () => {
  const cs = (await call(sys.baseUrl, liveKey, 'POST', '/checkout-sessions', { currency: 'SATS', amount: 42000, payment_methods: ['onchain'] })).body;
  const address = (await call(sys.baseUrl, liveKey, 'GET', `/payments/${cs.payment_id}`)).body.payment_method_options.onchain.address;
  const script = OutScript.encode(Address(btcSignerNetwork('regtest')).decode(address));
  const chain = extend(extend([], 3), 2, tx(script, 42000n)); // the payment at height 3, one confirmation on top
  const rpc = await standIn((req, res) => {
    const { id, method, params } = JSON.parse(req.body) as { id: number; method: string; params: unknown[] };
    const hashes = chain.map((hex) => parseRawBlock(hex).hash);
    const result = method === 'getblockcount' ? chain.length - 1
      : method === 'getblockhash' ? hashes[params[0] as number]
        : method === 'getblock' ? chain[hashes.indexOf(params[0] as string)] : null;
    res.end(JSON.stringify({ id, result, error: result === undefined ? { code: -8, message: 'out of range' } : null }));
  });
  try {
    const client = new BitcoinRpcClient({ url: `http://u:p@${new URL(rpc.url).host}` });
    const opts = { minConfirmations: 1, monitoringMs: 3_600_000, network: 'regtest' as const, startBehind: 100 };
    await bothAtOnce(3, (w) => scanChainOnce(w, client, opts));
    await expectCreditedOnce(liveKey, cs.id, 42000);
  } finally {
    await rpc.close();
  }
});

test('two watchers following the same LND invoice stream credit a settled invoice once', async () => {
  const cs = (await call(sys.baseUrl, testKey, 'POST', '/checkout-sessions', { currency: 'SATS', amount: 2300, payment_methods: ['lightning'] })).body;
  const hash = (await call(sys.baseUrl, testKey, 'GET', `/payments/${cs.payment_id}`)).body.payment_method_options.lightning.payment_hash;
  await sys.db('watcher_cursors').where('name', 'like', 'lnd_settle_index%').delete();
  const rHash = Buffer.from(hash, 'hex').toString('base64');
  const lnd = await standIn((req, res) => {
    if (!req.url?.startsWith('/v1/invoices/subscribe')) return res.end('{}');
    res.write(`${JSON.stringify({ result: { r_hash: rHash, state: 'SETTLED', amt_paid_sat: '2300', settle_index: '1' } })}\n`);
  });
  const abort = new AbortController();
  try {
    const following = watchers.map((w) => followLightning(w, new LndRestNode({ url: lnd.url, macaroonHex: '00' }), abort.signal));
    await expectCreditedOnce(testKey, cs.id, 2300);
    abort.abort();
    await Promise.all(following);
  } finally {
    abort.abort();
    await lnd.close();
  }
});

test('two watchers redelivering the same stored receipt hand it on once, and it is credited once', async () => {
  const cs = (await call(sys.baseUrl, testKey, 'POST', '/checkout-sessions', { currency: 'SATS', amount: 900 })).body;
  const { payment_id: paymentId } = await waitFor(() => read(testKey, cs.id), (x) => Boolean(x.payment_id));
  const { account_id: accountId } = await sys.db('checkout_sessions').where({ id: cs.id }).first();
  // Due only at a clock an hour ahead, so the test system's own watcher loop never hands it on.
  const hourAhead = Date.now() + 3_600_000;
  const id = `rcpt_replicas${Date.now()}`;
  await sys.db(T.receipts).insert({ id, reference: `replicas${Date.now()}:0`, source: 'onchain', payment_id: paymentId,
    checkout_session_id: cs.id, account_id: accountId, livemode: false, method: 'onchain', amount_sats: 900, status: 'received',
    created: Date.now() - 60_000, next_redelivery_at: hourAhead });
  const handed = await Promise.all(watchers.map((w) => redeliverPending(w, 1_000, hourAhead)));
  expect(handed.filter((ids) => ids.includes(id))).toHaveLength(1);
  await expectCreditedOnce(testKey, cs.id, 900);
});

const le32 = (n: number) => { const b = new Uint8Array(4); new DataView(b.buffer).setUint32(0, n, true); return b; };
const le64 = (n: bigint) => { const b = new Uint8Array(8); new DataView(b.buffer).setBigUint64(0, n, true); return b; };
const cat = (...parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((p) => [...p]));

/** A legacy-serialized transaction with one output paying `script`. */
function tx(script: Uint8Array, sats: bigint): Uint8Array {
  return cat(le32(2), Uint8Array.of(1), randomBytes(32), le32(0), Uint8Array.of(0), le32(0xffffffff),
    Uint8Array.of(1), le64(sats), Uint8Array.of(script.length), script, le32(0));
}

/** Extends `base` (block hexes) by `n` blocks; `pay` goes into the first new one. */
function extend(base: string[], n: number, pay?: Uint8Array): string[] {
  const out = [...base];
  for (let i = 0; i < n; i++) {
    const prev = out.length ? parseRawBlock(out[out.length - 1]).hash : '00'.repeat(32);
    const txs = [tx(Uint8Array.of(0x51), 50n), ...(i === 0 && pay ? [pay] : [])];
    const header = cat(le32(0x20000000), hexToBytes(prev).reverse(), randomBytes(32), le32(Date.now() / 1000), le32(0x207fffff), randomBytes(4));
    out.push(bytesToHex(cat(header, Uint8Array.of(txs.length), ...txs)));
  }
  return out;
}
