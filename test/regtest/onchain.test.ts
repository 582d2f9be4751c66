import { T } from '../../src/db/tables';
import { RegtestNetwork } from '../support/regtest/network';
import { apiFor, createLiveMerchant, sessionUntil, type LiveMerchant } from '../support/regtest/liveMerchant';
import { useTestSystem } from '../support/useTestSystem';

// On-chain live payments from the customer node's wallet, seen by the product's block scan of the
// miner node (BITCOIN_RPC_URL), counted at two confirmations.
const net = RegtestNetwork.fromEnv();
const sys = useTestSystem({ env: net.productEnv({ ONCHAIN_MIN_CONFIRMATIONS: '2' }) });
let shop: LiveMerchant;
let live: ReturnType<typeof apiFor>;

beforeAll(async () => {
  shop = await createLiveMerchant(sys.baseUrl);
  live = apiFor(sys.baseUrl, shop.liveKey);
});

const onchainSession = async (amount: number) => {
  const cs = await live('POST', '/checkout-sessions', { currency: 'SATS', amount, payment_methods: ['onchain'] });
  const address = (await live('GET', `/payments/${cs.payment_id}`)).payment_method_options.onchain.address as string;
  return { cs, address };
};
const receiptsOf = (sessionId: string) => sys.db(T.receipts).where({ checkout_session_id: sessionId }).orderBy('reference');
const until = (id: string, done: (s: any) => boolean) => sessionUntil(sys.baseUrl, shop.liveKey, id, done);

test('an on-chain payment counts only at ONCHAIN_MIN_CONFIRMATIONS (2), then the session is paid', async () => {
  const { cs, address } = await onchainSession(25000);
  expect(address.startsWith('bcrt1q')).toBe(true);
  const txid = await net.customer.sendCoins(address, 25000n);
  await net.waitInMempool(txid);

  const oneConf = await net.mine(1);
  await net.waitScanned(sys.db, oneConf);
  // The scan has seen the block with the output, one confirmation deep: nothing is counted yet.
  expect(await sys.db('chain_outputs').where({ reference: `${txid}:0` }).orWhere({ reference: `${txid}:1` })).toMatchObject([{ status: 'seen' }]);
  expect(await receiptsOf(cs.id)).toEqual([]);
  expect((await live('GET', `/checkout-sessions/${cs.id}`))).toMatchObject({ status: 'active', target_amount_paid: null });

  await net.mine(1);
  const s = await until(cs.id, (x) => x.status === 'paid');
  expect(s).toMatchObject({ target_amount_paid: 25000, exception_status: null });
  expect(await receiptsOf(cs.id)).toMatchObject([{ method: 'onchain', amount_sats: '25000', livemode: true, reference: expect.stringMatching(new RegExp(`^${txid}:[01]$`)) }]);
});

test('an overpayment is credited in full and flagged overpaid', async () => {
  const { cs, address } = await onchainSession(10000);
  await net.waitInMempool(await net.customer.sendCoins(address, 15000n));
  await net.mine(2);
  const s = await until(cs.id, (x) => x.status === 'paid');
  expect(s).toMatchObject({ target_amount_paid: 15000, exception_status: 'overpaid' });
});

test('two outputs of one transaction pay two sessions, each counted once', async () => {
  const [a, b] = [await onchainSession(12000), await onchainSession(3000)];
  const txid = await net.customer.sendMany({ [a.address]: 12000n, [b.address]: 3000n });
  await net.waitInMempool(txid);
  await net.mine(2);
  expect(await until(a.cs.id, (x) => x.status === 'paid')).toMatchObject({ target_amount_paid: 12000 });
  expect(await until(b.cs.id, (x) => x.status === 'paid')).toMatchObject({ target_amount_paid: 3000 });
  const refs = [...await receiptsOf(a.cs.id), ...await receiptsOf(b.cs.id)].map((r) => r.reference);
  expect(refs.every((r) => r.startsWith(`${txid}:`))).toBe(true);
  expect(new Set(refs).size).toBe(2);
  await net.mine(1); // more passes over deeper blocks change nothing
  await net.waitScanned(sys.db, await net.height());
  expect((await receiptsOf(a.cs.id)).length + (await receiptsOf(b.cs.id)).length).toBe(2);
});

test('a reorg that moves the payment to another block: the scan rewinds and the payment counts once', async () => {
  const { cs, address } = await onchainSession(7000);
  const txid = await net.customer.sendCoins(address, 7000n);
  await net.waitInMempool(txid);
  const height = await net.mine(1);
  await net.waitScanned(sys.db, height);
  const [seen] = await sys.db('chain_outputs').where('reference', 'like', `${txid}:%`);
  expect(seen.status).toBe('seen');

  // The miner drops its tip (btcd's invalidateblock); the transaction returns to its mempool and the
  // next blocks form a longer competing chain that the backend and both LND nodes follow.
  await net.miner.call('invalidateblock', [seen.block_hash]);
  await net.mine(2);
  const s = await until(cs.id, (x) => x.status === 'paid');
  expect(s.target_amount_paid).toBe(7000);
  const [moved] = await sys.db('chain_outputs').where('reference', 'like', `${txid}:%`);
  expect(moved.block_hash).not.toBe(seen.block_hash);
  expect(moved.status).toBe('counted');
  const scanned = await sys.db('chain_blocks').where({ height }).first();
  expect(scanned.hash).not.toBe(seen.block_hash);
  expect(await receiptsOf(cs.id)).toHaveLength(1);
});
