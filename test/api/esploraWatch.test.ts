import { EsploraClient, generateTestAccountKey } from '../../src/bitcoin';
import { T } from '../../src/db/tables';
import { liveWatchedAddresses } from '../../src/db/watchedAddresses';
import { watcherContext } from '../../src/watcher/context';
import { pollOnchainOnce } from '../../src/watcher/sources/esploraSource';
import { ItemBackoff } from '../../src/watcher/sources/itemBackoff';
import { ADMIN_KEY, call, waitFor } from '../support/testSystem';
import { useMerchant, useTestSystem } from '../support/useTestSystem';
import { startStandIn as standIn } from '../unit/bitcoin/support/standInServer';

// Live mode on regtest addresses with no LND: on-chain sessions only; the Esplora is a local stand-in.
const sys = useTestSystem({ env: { BITCOIN_NETWORK: 'regtest', MONITORING_HOURS: '1', CHECKOUT_MIN_TTL_SECONDS: '1' } });
const m = useMerchant(sys, { xpub: generateTestAccountKey('regtest').tpub, onchain_settlement: 'merchant_wallet' });
let merchant: { id: string; key: string; liveKey: string };

beforeAll(async () => {
  const live = await call(sys.baseUrl, ADMIN_KEY, 'POST', `/accounts/${m.id}/keys`, { livemode: true });
  merchant = { ...m, liveKey: live.body.secret_key };
});

const live = (method: string, route: string, body?: unknown) => call(sys.baseUrl, merchant.liveKey, method, route, body);
const test_ = (method: string, route: string, body?: unknown) => call(sys.baseUrl, merchant.key, method, route, body);
const addressOf = async (paymentId: string, as = live) => (await as('GET', `/payments/${paymentId}`)).body.payment_method_options.onchain.address as string;
const onchainOnly = { currency: 'SATS', payment_methods: ['onchain'] };

test('outputs paying a watched live address are reported once each, keyed txid:vout', async () => {
  const cs = (await live('POST', '/checkout-sessions', { ...onchainOnly, amount: 70000 })).body;
  const address = await addressOf(cs.payment_id);
  const txid = 'a1'.repeat(32);
  const esplora = await standIn((req, res) => {
    if (req.url === `/address/${address}/txs`) {
      return res.end(JSON.stringify([{ txid, status: { confirmed: true, block_height: 190 }, vout: [
        { scriptpubkey_address: 'bcrt1qother', value: 5 }, { scriptpubkey_address: address, value: 30000 }, { scriptpubkey_address: address, value: 40000 }] }]));
    }
    res.end('[]');
  });
  try {
    const ctx = watcherContext(sys.ctx);
    const opts = { minConfirmations: 1, monitoringMs: 3_600_000, network: 'regtest' as const };
    expect(await pollOnchainOnce(ctx, new EsploraClient(esplora.url), opts)).toBe(2);
    expect(await pollOnchainOnce(ctx, new EsploraClient(esplora.url), opts)).toBe(0);
    const s = await waitFor(() => live('GET', `/checkout-sessions/${cs.id}`).then((r) => r.body), (x) => x.status === 'paid');
    expect(s.target_amount_paid).toBe(70000);
    expect((await sys.db(T.receipts).where({ checkout_session_id: cs.id }).orderBy('reference')).map((r) => r.reference)).toEqual([`${txid}:1`, `${txid}:2`]);
  } finally {
    await esplora.close();
  }
});

test('one failing address does not stop the others, test-mode addresses are never sent, and the failure backs off alone', async () => {
  const testMode = (await test_('POST', '/checkout-sessions', { ...onchainOnly, amount: 1000 })).body;
  const testAddress = await addressOf(testMode.payment_id, test_);
  const failing = (await live('POST', '/checkout-sessions', { ...onchainOnly, amount: 1000 })).body;
  const failingAddress = await addressOf(failing.payment_id);
  const good = (await live('POST', '/checkout-sessions', { ...onchainOnly, amount: 2500 })).body;
  const goodAddress = await addressOf(good.payment_id);
  const txid = 'b2'.repeat(32);
  const asked: string[] = [];
  const esplora = await standIn((req, res) => {
    asked.push(req.url ?? '');
    if (req.url === `/address/${failingAddress}/txs`) { res.statusCode = 429; return res.end('Too Many Requests'); }
    if (req.url === `/address/${goodAddress}/txs`) {
      return res.end(JSON.stringify([{ txid, status: { confirmed: true, block_height: 5 }, vout: [{ scriptpubkey_address: goodAddress, value: 2500 }] }]));
    }
    res.end('[]');
  });
  try {
    const backoff = new ItemBackoff(sys.ctx.log, 'esplora address');
    const opts = { minConfirmations: 1, monitoringMs: 3_600_000, network: 'regtest' as const, backoff };
    expect(await pollOnchainOnce(watcherContext(sys.ctx), new EsploraClient(esplora.url), opts)).toBe(1);
    expect(asked).toContain(`/address/${failingAddress}/txs`);
    expect(asked.some((u) => u.includes(testAddress))).toBe(false);
    expect(backoff.pending()).toEqual([failingAddress]);
    const s = await waitFor(() => live('GET', `/checkout-sessions/${good.id}`).then((r) => r.body), (x) => x.status === 'paid');
    expect(s.target_amount_paid).toBe(2500);

    // The next pass skips the failing address (its backoff has not passed) and asks for the others.
    asked.length = 0;
    await pollOnchainOnce(watcherContext(sys.ctx), new EsploraClient(esplora.url), opts);
    expect(asked).not.toContain(`/address/${failingAddress}/txs`);
    expect(asked).toContain(`/address/${goodAddress}/txs`);
  } finally {
    await esplora.close();
  }
});

test('a settled session is watched for MONITORING_HOURS after it settled, then no longer', async () => {
  const cs = (await live('POST', '/checkout-sessions', { ...onchainOnly, amount: 1000 })).body;
  const address = await addressOf(cs.payment_id);
  await live('POST', `/checkout-sessions/${cs.id}/deactivate`);
  const asked: string[] = [];
  const esplora = await standIn((req, res) => { asked.push(req.url ?? ''); res.end('[]'); });
  try {
    const ctx = watcherContext(sys.ctx);
    await pollOnchainOnce(ctx, new EsploraClient(esplora.url), { minConfirmations: 1, monitoringMs: 3_600_000, network: 'regtest' });
    expect(asked).toContain(`/address/${address}/txs`);
    // Two hours later (the window is one hour) the deactivated session's address is no longer polled.
    await sys.db(T.sessions).where({ id: cs.id }).update({ modified: Date.now() - 2 * 3_600_000 });
    asked.length = 0;
    await pollOnchainOnce(ctx, new EsploraClient(esplora.url), { minConfirmations: 1, monitoringMs: 3_600_000, network: 'regtest' });
    expect(asked).not.toContain(`/address/${address}/txs`);
  } finally {
    await esplora.close();
  }
});

test('a renewed payment shares its unfunded address, which is watched once, for the newest payment', async () => {
  const cs = (await live('POST', '/checkout-sessions', { ...onchainOnly, amount: 3000, ttl: 1 })).body;
  const address = await addressOf(cs.payment_id);
  await new Promise((resolve) => setTimeout(resolve, 1500));
  // The payment page's poll of the expired session asks for a renewal; the new payment keeps the address.
  const renewed = await waitFor(async () => {
    await fetch(`${sys.baseUrl}/pay/${cs.id}/status`);
    return live('GET', `/checkout-sessions/${cs.id}`).then((r) => r.body);
  }, (x) => x.payment_id !== cs.payment_id);
  expect(await addressOf(renewed.payment_id)).toBe(address);
  const watched = (await liveWatchedAddresses(sys.db, 0)).filter((w) => w.address === address);
  expect(watched).toEqual([{ address, paymentId: renewed.payment_id }]);
});

test('a watched set larger than one pass allows is walked over several passes, each asking at most its share', async () => {
  const addresses: string[] = [];
  for (const amount of [1100, 1200, 1300]) {
    addresses.push(await addressOf((await live('POST', '/checkout-sessions', { ...onchainOnly, amount })).body.payment_id));
  }
  const asked: string[] = [];
  const esplora = await standIn((req, res) => { asked.push(req.url ?? ''); res.end('[]'); });
  try {
    const rotation = { after: '', passes: 0 };
    const opts = { minConfirmations: 1, monitoringMs: 3_600_000, network: 'regtest' as const, maxAddressesPerPass: 2, rotation };
    const perPass: number[] = [];
    do {
      const before = asked.length;
      await pollOnchainOnce(watcherContext(sys.ctx), new EsploraClient(esplora.url), opts);
      perPass.push(asked.length - before);
    } while (rotation.after !== '');
    // Every address of the round was asked, in passes of at most two requests.
    for (const address of addresses) expect(asked).toContain(`/address/${address}/txs`);
    expect(perPass.length).toBeGreaterThanOrEqual(2);
    expect(perPass.every((n) => n <= 2)).toBe(true);
  } finally {
    await esplora.close();
  }
});
