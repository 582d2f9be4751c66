import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { T } from '../../src/db/tables';
import { RegtestNetwork } from '../support/regtest/network';
import { apiFor, createLiveMerchant, sessionUntil } from '../support/regtest/liveMerchant';
import { startTestSystem, type TestSystem } from '../support/testSystem';

// The product stops between the customer's broadcast and the confirmations, and starts again (same
// database, task queue and data folder, as a redeploy would): the block scan resumes from its stored
// cursor and the Lightning stream from its settle index, so nothing is missed and nothing is doubled.
const net = RegtestNetwork.fromEnv();

test('a restart between broadcast and confirmation: every payment counted once', async () => {
  const taskQueue = `restart-${randomBytes(4).toString('hex')}`;
  const dataDir = path.join(process.env.CHECKOUT_TEST_DIR!, taskQueue);
  fs.mkdirSync(dataDir, { recursive: true });
  const env = net.productEnv({ ONCHAIN_MIN_CONFIRMATIONS: '2', TEMPORAL_TASK_QUEUE: taskQueue, DATA_DIR: dataDir });
  // Its own start: the system is stopped and started again (same task queue and data folder) mid-test.
  let sys: TestSystem = await startTestSystem(env);
  try {
    const shop = await createLiveMerchant(sys.baseUrl);
    let live = apiFor(sys.baseUrl, shop.liveKey);
    const onchain = await live('POST', '/checkout-sessions', { currency: 'SATS', amount: 9000, payment_methods: ['onchain'] });
    const lightning = await live('POST', '/checkout-sessions', { currency: 'SATS', amount: 4000, payment_methods: ['lightning'] });
    const address = (await live('GET', `/payments/${onchain.payment_id}`)).payment_method_options.onchain.address;
    const bolt11 = (await live('GET', `/payments/${lightning.payment_id}`)).payment_method_options.lightning.payment_request;
    const txid = await net.customer.sendCoins(address, 9000n);
    await net.waitInMempool(txid);
    await net.mine(1); // one confirmation while the product runs: seen, not counted

    await sys.stop();
    // While it is down: the second confirmation, more blocks, and a Lightning payment.
    await net.mine(3);
    expect((await net.customer.payInvoice(bolt11)).status).toBe('SUCCEEDED');

    sys = await startTestSystem(env);
    live = apiFor(sys.baseUrl, shop.liveKey);
    expect(await sessionUntil(sys.baseUrl, shop.liveKey, onchain.id, (s) => s.status === 'paid')).toMatchObject({ target_amount_paid: 9000 });
    expect(await sessionUntil(sys.baseUrl, shop.liveKey, lightning.id, (s) => s.status === 'paid')).toMatchObject({ target_amount_paid: 4000 });

    // And once more: a second restart replays nothing into a second credit.
    await sys.stop();
    sys = await startTestSystem(env);
    live = apiFor(sys.baseUrl, shop.liveKey);
    await net.mine(1);
    await net.waitScanned(sys.db, await net.height());
    for (const id of [onchain.id, lightning.id]) {
      expect(await sys.db(T.receipts).where({ checkout_session_id: id })).toHaveLength(1);
      const s = await sessionUntil(sys.baseUrl, shop.liveKey, id, (x) => x.status === 'paid');
      expect(s.exception_status).toBeNull();
    }
    // The on-chain 9,000 settled into the shop's own wallet (merchant_wallet, docs/custody.md): its 90 fee is a debt
    // recovered from the Lightning 3,960.
    expect((await live('GET', '/balances'))).toMatchObject({ available: [{ amount: 4000 - 40 - 90 }], merchant_wallet: [{ amount: 9000 }], owed: [{ amount: 0 }] });
  } finally {
    await sys.stop();
  }
});
