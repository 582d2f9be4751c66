import { generateTestAccountKey } from '../../src/bitcoin';
import { reconcile } from '../../src/services/reconcile';
import { T } from '../../src/db/tables';
import { ADMIN_KEY, call, createMerchant, waitFor } from '../support/testSystem';
import { connectTransfers } from '../support/transferDestinations';
import { useTestSystem } from '../support/useTestSystem';

// Custody (docs/custody.md): an own-wallet receipt's share is the merchant's at once; what it owes is
// taken from the merchant's platform-held money only, and a recipient is credited only with money the
// platform holds. Test mode follows the account's setting, so this runs on simulated receipts.
const sys = useTestSystem({ env: { BITCOIN_NETWORK: 'regtest' } });

const api = (key: string, method: string, route: string, body?: unknown) => call(sys.baseUrl, key, method, route, body);
const balance = async (key: string) => {
  const b = (await api(key, 'GET', '/balances')).body;
  return { available: b.available[0].amount, pending: b.pending[0].amount, merchant_wallet: b.merchant_wallet[0].amount, owed: b.owed[0].amount };
};

async function pay(key: string, body: Record<string, unknown>, method: 'onchain' | 'lightning') {
  const cs = (await api(key, 'POST', '/checkout-sessions', body)).body;
  await api(key, 'POST', `/test-helpers/payments/${cs.payment_id}/receive`, { amount: body.amount, method });
  await waitFor(() => api(key, 'GET', `/checkout-sessions/${cs.id}`), (r) => r.body.status === 'paid');
  return cs.id as string;
}

test('new accounts settle on the platform; an xpub account may choose its own wallet, never without an xpub', async () => {
  const created = await call(sys.baseUrl, ADMIN_KEY, 'POST', '/accounts', { name: 'plain', xpub: generateTestAccountKey('regtest').tpub });
  expect(created.body.onchain_settlement).toBe('platform');
  const switched = await call(sys.baseUrl, ADMIN_KEY, 'POST', `/accounts/${created.body.id}`, { onchain_settlement: 'merchant_wallet' });
  expect(switched.body.onchain_settlement).toBe('merchant_wallet');
  const noKey = await call(sys.baseUrl, ADMIN_KEY, 'POST', `/accounts/${created.body.id}`, { xpub: '' });
  expect(noKey).toMatchObject({ status: 400, body: { errors: [{ param: 'onchain_settlement' }] } });
  const refused = await createMerchant(sys.baseUrl, { onchain_settlement: 'merchant_wallet' }).catch((e: Error) => e.message);
  expect(refused).toMatch(/onchain_settlement/);
});

test('own-wallet receipt: the fee and the transfer become debts, recovered from the next platform-held money', async () => {
  const tpub = generateTestAccountKey('regtest').tpub;
  const shop = await createMerchant(sys.baseUrl, { xpub: tpub, onchain_settlement: 'merchant_wallet' });
  const partner = await createMerchant(sys.baseUrl);
  await connectTransfers(sys.baseUrl, shop.id, partner.id);
  const transfers = [{ destination_account: partner.id, percentage: 10 }];

  // 10,000 on-chain into the merchant's own wallet: fee 100 and transfer 990 are owed, nobody is credited yet.
  const first = await pay(shop.key, { currency: 'SATS', amount: 10000, transfers }, 'onchain');
  expect(await balance(shop.key)).toEqual({ available: 0, pending: 0, merchant_wallet: 10000, owed: 1090 });
  expect(await balance(partner.key)).toMatchObject({ available: 0, merchant_wallet: 0 });
  const [tr] = (await api(shop.key, 'GET', `/transfers?checkout_session=${first}`)).body.data;
  expect(tr).toMatchObject({ amount: 990, status: 'pending' });
  const custody = (await api(shop.key, 'GET', '/balance-transactions')).body.data.map((t: any) => [t.type, t.amount, t.custody]);
  expect(custody).toEqual([['payment', 10000, 'merchant_wallet']]);

  // 1,000 over Lightning (platform-held): fee 10 first, then 990 recovers the old fee (100) and 890 of the transfer.
  await pay(shop.key, { currency: 'SATS', amount: 1000 }, 'lightning');
  expect(await balance(shop.key)).toEqual({ available: 0, pending: 0, merchant_wallet: 10000, owed: 100 });
  expect(await balance(partner.key)).toMatchObject({ available: 890 });
  expect((await api(shop.key, 'GET', `/transfers/${tr.id}`)).body.status).toBe('pending');

  // 2,000 more: the last 100 of the transfer is recovered, the transfer is paid, the rest is available.
  await pay(shop.key, { currency: 'SATS', amount: 2000 }, 'lightning');
  expect(await balance(shop.key)).toEqual({ available: 2000 - 20 - 100, pending: 0, merchant_wallet: 10000, owed: 0 });
  expect(await balance(partner.key)).toMatchObject({ available: 990 });
  expect((await api(shop.key, 'GET', `/transfers/${tr.id}`)).body.status).toBe('paid');
  const events = (await api(shop.key, 'GET', '/events?event_type=transfer.paid&limit=100')).body.data;
  expect(events.map((e: any) => e.data.object.id)).toContain(tr.id);
  const entries = await sys.db(T.ledgerEntries).join(T.ledgerTransactions, 'ledger_transactions.id', 'ledger_entries.txn_id')
    .where('ledger_entries.account_id', partner.id).select('ledger_entries.amount', 'ledger_entries.custody');
  expect(entries.every((e: { custody: string }) => e.custody !== 'merchant_wallet')).toBe(true);
  // Other suites write to the same database meanwhile: only this test's accounts are looked at.
  const mine = (await reconcile(sys.db)).filter((d) => d.subject.startsWith(shop.id) || d.subject.startsWith(partner.id));
  expect(mine).toEqual([]);
});

test('a platform-custody on-chain receipt is withdrawable, its transfers paid from it as before', async () => {
  const shop = await createMerchant(sys.baseUrl);
  const partner = await createMerchant(sys.baseUrl);
  await connectTransfers(sys.baseUrl, shop.id, partner.id);
  await pay(shop.key, { currency: 'SATS', amount: 10000, transfers: [{ destination_account: partner.id, percentage: 10 }] }, 'onchain');
  await waitFor(() => balance(partner.key), (b) => b.available === 990);
  expect(await balance(shop.key)).toEqual({ available: 8910, pending: 0, merchant_wallet: 0, owed: 0 });
  const custody = (await api(shop.key, 'GET', '/balance-transactions')).body.data.map((t: any) => t.custody);
  expect(new Set(custody)).toEqual(new Set(['platform_wallet']));
});
