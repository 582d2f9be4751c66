import fs from 'node:fs';
import path from 'node:path';
import { LndSender } from '../../src/bitcoin/lndSender';
import { accountFunds } from '../../src/db/funds';
import { T } from '../../src/db/tables';
import { proveReserves } from '../../src/services/reconcile';
import { RegtestNetwork } from '../support/regtest/network';
import { apiFor, createLiveMerchant, sessionUntil, type LiveMerchant } from '../support/regtest/liveMerchant';
import { waitFor } from '../support/testSystem';
import { useTestSystem } from '../support/useTestSystem';
import { startWorkerProcess, type WorkerProcess } from '../support/workerProcess';

// Payouts against the real platform node with the worker in its own process: SIGKILLed at the worst
// moment (the node has paid, the ledger has not settled: the send's crash point, activities/sendPause.ts)
// and replaced by a new worker, which must find the first send instead of paying again. Then 20
// concurrent payouts that together exceed the balance.
const net = RegtestNetwork.fromEnv();
let shop: LiveMerchant;
let live: ReturnType<typeof apiFor>;
let worker: WorkerProcess | null = null;
let pauseDir: string;

const sender = () => new LndSender({ url: net.info.merchant.restUrl, macaroonHex: fs.readFileSync(net.info.merchant.adminMacaroonPath).toString('hex'),
  tlsCertPem: fs.readFileSync(net.info.merchant.tlsCertPath, 'utf8') });
const env = () => net.productEnv({ ONCHAIN_MIN_CONFIRMATIONS: '1', LND_PAYOUT_MACAROON_PATH: net.info.merchant.adminMacaroonPath });
// The API and watcher here; the worker runs in its own process (below), stopped before the system.
const sys = useTestSystem({ env: env(), parts: ['api', 'watcher'], beforeStop: async () => { await worker?.stop(); } });
/** A worker process; with `pause`, each send stops once after it reached the node (TEST_PAUSE_AFTER_SEND_DIR). */
const newWorker = (pause: boolean) => startWorkerProcess(sys, { ...env(), ...(pause ? { TEST_PAUSE_AFTER_SEND_DIR: pauseDir } : {}) });

/** Waits until the worker process polls the task queue (its ts-node start takes a while on a loaded box). */
async function polling(w: WorkerProcess): Promise<void> {
  const found = await waitFor(async () => {
    const { pollers } = await sys.temporal.workflowService.describeTaskQueue({
      namespace: sys.config.temporal.namespace, taskQueue: { name: sys.taskQueue }, taskQueueType: 1,
    });
    return (pollers ?? []).some((p) => p.identity?.startsWith(`${w.child.proc.pid}@`));
  }, (ok) => ok || w.child.proc.exitCode !== null, 240_000);
  if (!found) throw new Error(`the worker process did not start polling: ${w.child.tail()}`);
}

beforeAll(async () => {
  pauseDir = path.join(sys.config.dataDir, 'send-pauses');
  fs.mkdirSync(pauseDir, { recursive: true });
  worker = newWorker(true);
  await polling(worker);
  // The shop settles on-chain on the platform, so its on-chain receipt funds the wallet the on-chain payout spends.
  shop = await createLiveMerchant(sys.baseUrl, { onchain_settlement: 'platform' });
  live = apiFor(sys.baseUrl, shop.liveKey);
  const cs = await live('POST', '/checkout-sessions', { currency: 'SATS', amount: 300_000, payment_methods: ['lightning'] });
  const { payment_request: bolt11 } = (await live('GET', `/payments/${cs.payment_id}`)).payment_method_options.lightning;
  expect((await net.customer.payInvoice(bolt11)).status).toBe('SUCCEEDED');
  await sessionUntil(sys.baseUrl, shop.liveKey, cs.id, (s) => s.status === 'paid', 60_000);
}, 400_000);

async function customerInvoice(sats: bigint, memo: string) {
  const inv = await net.customer.post<{ payment_request: string; r_hash: string }>('/v1/invoices', { value: sats.toString(), memo, expiry: '3600' });
  return { paymentRequest: inv.payment_request, hash: Buffer.from(inv.r_hash, 'base64').toString('hex') };
}
/** The platform node's own list of its outgoing payments (`lncli listpayments`), those of `hash`. */
const platformPayments = async (hash: string) =>
  ((await net.merchant.get<{ payments?: { payment_hash: string; status: string }[] }>('/v1/payments?include_incomplete=true&max_payments=100000')).payments ?? [])
    .filter((p) => p.payment_hash === hash);
const payoutMovements = async (id: string) => sys.db(T.ledgerTransactions).where('key', 'like', `payout:${id}:%`).select('type', 'key');
const finalPayout = (id: string, timeoutMs = 240_000) => waitFor(() => live('GET', `/instant-sends/${id}`), (p) => p.status !== 'unpaid', timeoutMs);
const pausedAt = (key: string) => waitFor(async () => fs.existsSync(path.join(pauseDir, key)), (x) => x, 240_000);
async function reservesHold(): Promise<void> {
  const proof = await proveReserves(sys.db, sender());
  expect(proof.solvent).toBe(true);
}

test('SIGKILL after the node paid and before the ledger settled: a new worker settles it, one payment on the node, one ledger movement', async () => {
  const before = await accountFunds(sys.db, shop.id, true);
  const { paymentRequest, hash } = await customerInvoice(20_000n, 'payout through a crash');
  const created = await live('POST', '/instant-sends', { amount: 20_000, currency: 'SATS', withdraw_method: 'lightning', withdraw_request: paymentRequest });
  expect(created).toMatchObject({ status: 'unpaid', payment_hash: hash });

  expect(await pausedAt(hash)).toBe(true);
  // The worst moment: the node has paid, the customer has the money, the ledger has not moved.
  expect(await platformPayments(hash)).toMatchObject([{ status: 'SUCCEEDED' }]);
  expect((await net.customer.get(`/v1/invoice/${hash}`)).state).toBe('SETTLED');
  expect(await live('GET', `/instant-sends/${created.id}`)).toMatchObject({ status: 'unpaid' });
  expect(await payoutMovements(created.id)).toEqual([]);
  await worker!.kill();

  worker = newWorker(true); // the same crash point is set, but this send already paused once: it goes on
  const paid = await finalPayout(created.id);
  expect(paid).toMatchObject({ status: 'paid', failure_reason: null });
  expect(await platformPayments(hash)).toHaveLength(1);
  expect((await payoutMovements(created.id)).filter((m) => m.type === 'payout')).toHaveLength(1);
  const after = await accountFunds(sys.db, shop.id, true);
  expect(after.balance).toBe(before.balance - 20_000n - BigInt(paid.fees));
  expect(after.reserved).toBe(before.reserved);
  await reservesHold();
}, 600_000);

test('SIGKILL after an on-chain payout was broadcast: the new worker finds the recorded transaction, one transaction in the wallet', async () => {
  // Fund the platform wallet with a platform-custody on-chain receipt.
  const cs = await live('POST', '/checkout-sessions', { currency: 'SATS', amount: 100_000, payment_methods: ['onchain'] });
  const address = (await live('GET', `/payments/${cs.payment_id}`)).payment_method_options.onchain.address as string;
  await net.waitInMempool(await net.customer.sendCoins(address, 100_000n));
  await net.mine(1);
  await sessionUntil(sys.baseUrl, shop.liveKey, cs.id, (s) => s.status === 'paid', 120_000);
  await waitFor(() => net.merchant.get('/v1/balance/blockchain'), (b) => BigInt(b.confirmed_balance) >= 100_000n, 60_000);

  const before = await accountFunds(sys.db, shop.id, true);
  const to = await net.customer.newAddress();
  const created = await live('POST', '/instant-sends', { amount: 40_000, currency: 'SATS', withdraw_method: 'onchain', withdraw_request: to });
  expect(created).toMatchObject({ status: 'unpaid', withdraw_type: 'onchain_address' });
  // Recorded before the broadcast: the row names the transaction before the node has sent it.
  const recorded = await waitFor(() => sys.db(T.payouts).first('txid').where({ id: created.id }), (r) => Boolean(r?.txid), 240_000);
  const txid = recorded.txid as string;
  expect(await pausedAt(txid)).toBe(true);
  await net.waitInMempool(txid);
  expect(await payoutMovements(created.id)).toEqual([]);
  await worker!.kill();

  worker = newWorker(false);
  const paid = await finalPayout(created.id);
  expect(paid).toMatchObject({ status: 'paid', txid });
  await net.mine(1);
  type WalletTx = { tx_hash: string; num_confirmations: number; output_details?: { address: string }[] };
  const paying = async () => ((await net.merchant.get<{ transactions: WalletTx[] }>('/v1/transactions')).transactions)
    .filter((t) => (t.output_details ?? []).some((o) => o.address === to));
  const txs = await waitFor(paying, (t) => t.length === 1 && t[0].num_confirmations >= 1, 60_000);
  expect(txs).toMatchObject([{ tx_hash: txid }]);
  expect((await payoutMovements(created.id)).filter((m) => m.type === 'payout')).toHaveLength(1);
  const after = await accountFunds(sys.db, shop.id, true);
  expect(after.balance).toBe(before.balance - 40_000n - BigInt(paid.fees));
  expect(after.reserved).toBe(before.reserved);
  await reservesHold();
}, 600_000);

test('20 concurrent payouts that together exceed the balance: exactly what fits is reserved and paid, the rest insufficient_funds, no balance below zero', async () => {
  const before = await accountFunds(sys.db, shop.id, true);
  expect(before.reserved).toBe(0n);
  const amount = before.available / 8n;
  const feeLimit = amount / 100n + (amount % 100n === 0n ? 0n : 1n) > 10n ? amount / 100n + (amount % 100n === 0n ? 0n : 1n) : 10n;
  const fits = before.available / (amount + feeLimit);
  const invoices = await Promise.all(Array.from({ length: 20 }, (_, i) => customerInvoice(amount, `concurrent ${i}`)));
  const answers = await Promise.all(invoices.map((inv) =>
    live('POST', '/instant-sends', { amount: Number(amount), currency: 'SATS', withdraw_method: 'lightning', withdraw_request: inv.paymentRequest })));

  const accepted = answers.filter((a) => a.object === 'instant_send');
  const refused = answers.filter((a) => a.object !== 'instant_send');
  expect(BigInt(accepted.length)).toBe(fits);
  expect(refused.length).toBe(20 - Number(fits));
  for (const r of refused) expect(r.errors[0]).toMatchObject({ param: 'amount', code: 'insufficient_funds' });
  for (const a of accepted) expect(a).toMatchObject({ status: 'unpaid', fee_limit: Number(feeLimit) });

  const done = await Promise.all(accepted.map((a) => finalPayout(a.id)));
  // Each ends cleanly: paid, or failed with a reason (and its reservation released).
  for (const d of done) expect(d.status === 'paid' || (d.status === 'failed' && d.failure_reason)).toBeTruthy();
  const paid = done.filter((d) => d.status === 'paid');
  expect(paid.length).toBeGreaterThan(0);
  const after = await accountFunds(sys.db, shop.id, true);
  const spent = paid.reduce((sum, d) => sum + amount + BigInt(d.fees), 0n);
  expect(after.balance).toBe(before.balance - spent);
  expect(after.balance).toBeGreaterThanOrEqual(0n);
  expect(after.reserved).toBe(0n);
  // Nothing was sent for a refused payout.
  const refusedHashes = invoices.filter((inv) => !accepted.some((a) => a.payment_hash === inv.hash)).map((inv) => inv.hash);
  for (const hash of refusedHashes) expect(await platformPayments(hash)).toEqual([]);
  for (const d of paid) expect(await platformPayments(d.payment_hash)).toMatchObject([{ status: 'SUCCEEDED' }]);
  const negative = await sys.db(T.accountBalances).where('balance', '<', 0).orWhere('reserved', '<', 0).select('account_id');
  expect(negative).toEqual([]);
  await reservesHold();
}, 600_000);
