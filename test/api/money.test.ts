import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { accountBalance } from '../../src/db/ledger';
import { creditStoredReceipt, ReceiptMismatchError, ReceiptNotStoredError } from '../../src/db/receipts';
import { idFromSeed } from '../../src/domain/ids';
import { T } from '../../src/db/tables';
import { reconcile } from '../../src/services/reconcile';
import { ADMIN_KEY, call, createMerchant, startTestSystem, waitFor, type TestSystem } from '../support/testSystem';
import { useTestSystem } from '../support/useTestSystem';
import { connectTransfers } from '../support/transferDestinations';

const sys = useTestSystem();

const api = (key: string, method: string, route: string, body?: unknown) => call(sys.baseUrl, key, method, route, body);
const balanceOf = async (key: string) => (await api(key, 'GET', '/balances')).body.available[0].amount;

async function paySession(key: string, body: Record<string, unknown>, amounts: number[]): Promise<string> {
  const cs = (await api(key, 'POST', '/checkout-sessions', body)).body;
  let paymentId = cs.payment_id;
  for (const [i, amount] of amounts.entries()) {
    await api(key, 'POST', `/test-helpers/payments/${paymentId}/receive`, { amount, reference: `${cs.id}-${i}:0` });
    const s = await waitFor(() => api(key, 'GET', `/checkout-sessions/${cs.id}`), (r) => r.body.payments.length === i + 1 && (r.body.status !== 'active' || r.body.payment_id !== paymentId));
    paymentId = s.body.payment_id;
  }
  return cs.id;
}

async function transfersSettled(key: string, sessionId: string, count: number) {
  return (await waitFor(() => api(key, 'GET', `/transfers?checkout_session=${sessionId}&limit=100`),
    (r) => r.body.data.length === count && r.body.data.every((t: { status: string }) => t.status === 'paid'))).body.data;
}

describe('fees and ordered split transfers', () => {
  test('the seed example: 10,000 SATS, 1% fee, 10% and 25% → 990, 2,475 and 6,435 to the merchant', async () => {
    const [shop, a, b] = [await createMerchant(sys.baseUrl), await createMerchant(sys.baseUrl), await createMerchant(sys.baseUrl)];
    await connectTransfers(sys.baseUrl, shop.id, a.id, b.id);
    const platformBefore = await accountBalance(sys.db, 'acct_platform', false);
    const id = await paySession(shop.key, { currency: 'SATS', amount: 10000, transfers: [
      { destination_account: a.id, percentage: 10, description: 'first' }, { destination_account: b.id, percentage: 25, description: 'second' }] }, [10000]);
    const transfers = await transfersSettled(shop.key, id, 2);
    expect(transfers.map((t: any) => [t.transfer_order, t.destination_account, t.amount, t.status])).toEqual([
      [1, b.id, 2475, 'paid'], [0, a.id, 990, 'paid']]); // newest first
    expect(await balanceOf(shop.key)).toBe(6435);
    expect(await balanceOf(a.key)).toBe(990);
    expect(await balanceOf(b.key)).toBe(2475);
    expect(await accountBalance(sys.db, 'acct_platform', false) - platformBefore).toBe(100n);
    // The destination sees the transfer too; nobody else does.
    expect((await api(a.key, 'GET', `/transfers/${transfers[1].id}`)).status).toBe(200);
    expect((await api(b.key, 'GET', `/transfers/${transfers[1].id}`)).status).toBe(404);
    // Transfers ran in array order.
    const [t0, t1] = await sys.db(T.transfers).where({ checkout_session_id: id }).orderBy('index');
    const postedAt = async (tr: { id: string }) => (await sys.db(T.ledgerTransactions).where({ transfer_id: tr.id }).first()).created;
    expect(Number(await postedAt(t0))).toBeLessThanOrEqual(Number(await postedAt(t1)));
    const events = (await api(shop.key, 'GET', '/events?event_type=transfer.paid&limit=100')).body.data;
    expect(events.filter((e: any) => e.data.object.checkout_session === id)).toHaveLength(2);
  });

  test('an affiliate fee is taken before the transfers', async () => {
    const partner = await createMerchant(sys.baseUrl, { name: 'Affiliate' });
    const shop = await createMerchant(sys.baseUrl, { affiliate: { account: partner.id, percentage: 0.5 } });
    const dest = await createMerchant(sys.baseUrl);
    await connectTransfers(sys.baseUrl, shop.id, dest.id);
    const id = await paySession(shop.key, { currency: 'SATS', amount: 10000, transfers: [{ destination_account: dest.id, percentage: 10 }] }, [10000]);
    await transfersSettled(shop.key, id, 1);
    // fee 100, affiliate 50, net 9,850, transfer 985, merchant 8,865
    expect(await balanceOf(partner.key)).toBe(50);
    expect(await balanceOf(dest.key)).toBe(985);
    expect(await balanceOf(shop.key)).toBe(8865);
    const types = (await api(shop.key, 'GET', '/balance-transactions?limit=100')).body.data.map((t: any) => [t.type, t.amount]);
    expect(types).toEqual([['transfer', -985], ['affiliate_fee', -50], ['platform_fee', -100], ['payment', 10000]]);
  });

  test('odd amounts: every sat lands somewhere, rounding as SPEC §6 says', async () => {
    const [shop, a, b, c] = await Promise.all([0, 1, 2, 3].map(() => createMerchant(sys.baseUrl)));
    await connectTransfers(sys.baseUrl, shop.id, a.id, b.id, c.id);
    const id = await paySession(shop.key, { currency: 'SATS', amount: 999, transfers: [
      { destination_account: a.id, percentage: 33.33 }, { destination_account: b.id, percentage: 33.33 }, { destination_account: c.id, percentage: 33.33 }] }, [999]);
    await transfersSettled(shop.key, id, 3);
    // fee round_half_up(9.99) = 10, net 989, each floor(989 × 0.3333) = 329, merchant 989 − 987 = 2
    expect([await balanceOf(a.key), await balanceOf(b.key), await balanceOf(c.key), await balanceOf(shop.key)]).toEqual([329, 329, 329, 2]);
  });

  test('transfers run on each of several partial receipts', async () => {
    const [shop, a] = [await createMerchant(sys.baseUrl), await createMerchant(sys.baseUrl)];
    await connectTransfers(sys.baseUrl, shop.id, a.id);
    const id = await paySession(shop.key, { currency: 'SATS', amount: 30000, amount_paid_tolerance: 0, transfers: [{ destination_account: a.id, percentage: 50 }] }, [10000, 5001, 14999]);
    const transfers = await transfersSettled(shop.key, id, 3);
    // per receipt: fee 100 → 4,950; 50 → 2,475 (floor of 2,475.5); 150 → 7,424 (floor of 7,424.5)
    expect(transfers.map((t: any) => t.amount).sort((x: number, y: number) => x - y)).toEqual([2475, 4950, 7424]);
    expect(await balanceOf(a.key)).toBe(4950 + 2475 + 7424);
    expect(await balanceOf(shop.key)).toBe(30000 - 300 - (4950 + 2475 + 7424));
  });
});

describe('exactly once across a worker crash', () => {
  test('a worker killed in the middle of a transfer sequence and restarted: every transfer once, balances right', async () => {
    // Its own systems: an API without a worker (the worker is a child process it kills), then a replacement worker on that queue.
    const api2 = await startTestSystem({}, { parts: ['api', 'watcher'] });
    let child: ChildProcess | undefined;
    let replacement: TestSystem | undefined;
    try {
      const [shop, a, b, c] = await Promise.all([0, 1, 2, 3].map(() => createMerchant(api2.baseUrl)));
      await connectTransfers(api2.baseUrl, shop.id, a.id, b.id, c.id);
      child = startWorkerProcess(api2.taskQueue, api2.config.dataDir);
      // The child worker bundles the workflows at start; until it polls, create answers 503 "retry with the same key".
      const create = () => call(api2.baseUrl, shop.key, 'POST', '/checkout-sessions', { currency: 'SATS', amount: 20000, transfers: [
        { destination_account: a.id, percentage: 10 }, { destination_account: b.id, percentage: 20 }, { destination_account: c.id, percentage: 30 }] },
      { 'Idempotency-Key': `crash-${shop.id}` });
      // A loaded machine can take minutes to bundle: the deadline is generous, the assertion is the outcome.
      const cs = (await waitFor(create, (r) => r.status === 200, 240_000)).body;
      expect(cs).toMatchObject({ status: 'active' });

      // The watcher stored this receipt and crashed before signalling: its redelivery loop hands it on.
      const receiptId = 'rcpt_crashtest' + Date.now();
      await sys.db(T.receipts).insert({ id: receiptId, reference: `${receiptId}:0`, source: 'onchain', payment_id: cs.payment_id, checkout_session_id: cs.id,
        account_id: shop.id, livemode: false, method: 'onchain', amount_sats: 20000, status: 'received', created: Date.now() - 10_000 });
      // Hold the ledger key of transfer #2 in an open transaction: the worker's insert of that key waits
      // on it, so the worker is stuck inside transfer #2 after #1 is paid.
      const secondKey = `transfer:${idFromSeed('tr', `${cs.payment_id}:${receiptId}:1`)}`;
      const blocker = await sys.db.transaction();
      await blocker(T.ledgerTransactions).insert({ id: 'txn_blocker', key: secondKey, type: 'transfer', livemode: false, created: Date.now() });
      await waitFor(() => sys.db(T.transfers).where({ checkout_session_id: cs.id, index: 0 }).first(), (t) => t?.status === 'paid', 120_000);
      await new Promise((r) => setTimeout(r, 300));
      expect((await sys.db(T.transfers).where({ checkout_session_id: cs.id, index: 1 }).first()).status).toBe('pending');
      child.kill('SIGKILL');
      await new Promise((r) => child!.once('exit', r));
      await blocker.rollback();

      replacement = await startTestSystem({ TEMPORAL_TASK_QUEUE: api2.taskQueue }, { parts: ['worker'] });
      const rows = await waitFor(() => sys.db(T.transfers).where({ checkout_session_id: cs.id }).orderBy('index'),
        (ts) => ts.length === 3 && ts.every((t: { status: string }) => t.status === 'paid'), 180_000);
      expect(rows.map((t: { amount: string }) => t.amount)).toEqual(['1980', '3960', '5940']);
      for (const t of rows) {
        expect(await sys.db(T.ledgerTransactions).where({ transfer_id: t.id }).count({ count: '*' })).toEqual([{ count: '1' }]);
      }
      expect(await balanceOf(shop.key)).toBe(20000 - 200 - 1980 - 3960 - 5940);
      expect([await balanceOf(a.key), await balanceOf(b.key), await balanceOf(c.key)]).toEqual([1980, 3960, 5940]);
    } finally {
      child?.kill('SIGKILL');
      await replacement?.stop();
      await api2.stop();
    }
  }, 600_000);
});

describe('reconciliation', () => {
  test('reconcile agrees with everything the tests above moved, and reports a tampered ledger', async () => {
    expect(await reconcile(sys.db)).toEqual([]);
    const tx = await sys.db.transaction();
    try {
      const shop = await createMerchant(sys.baseUrl);
      await tx(T.ledgerTransactions).insert({ id: 'txn_tampered', key: 'tampered', type: 'payment', livemode: false, created: Date.now() });
      await tx(T.ledgerEntries).insert({ txn_id: 'txn_tampered', account_id: shop.id, livemode: false, amount: 5, created: Date.now() });
      const kinds = (await reconcile(tx)).map((d) => d.kind);
      expect(kinds).toEqual(expect.arrayContaining(['unbalanced_transaction', 'balances_vs_receipts']));
    } finally {
      await tx.rollback();
    }
  });

  test('`npm run reconcile` exits 0 on the test database', async () => {
    const code = await new Promise<number | null>((resolve) => {
      const p = spawn('npm', ['run', '--silent', 'reconcile'], {
        cwd: path.join(__dirname, '../..'), env: { ...process.env, DATABASE_URL: process.env.CHECKOUT_TEST_DATABASE_URL }, stdio: 'ignore',
      });
      p.on('exit', resolve);
    });
    expect(code).toBe(0);
  });
});

describe('a credit checks the stored receipt', () => {
  test('it marks a stored receipt once, and refuses other facts, another session or an unknown receipt before writing anything', async () => {
    const shop = await createMerchant(sys.baseUrl);
    const id = await paySession(shop.key, { currency: 'SATS', amount: 5000 }, [5000]);
    const stored = await sys.db(T.receipts).where({ checkout_session_id: id }).first();
    expect(stored.status).toBe('credited');
    const facts = { id: stored.id, sessionId: id, paymentId: stored.payment_id, sats: stored.amount_sats, reference: stored.reference };
    const now = Date.now();
    expect(await creditStoredReceipt(sys.db, facts, null, now)).toBe('already');
    await expect(creditStoredReceipt(sys.db, { ...facts, sats: '5001' }, null, now)).rejects.toBeInstanceOf(ReceiptMismatchError);
    await expect(creditStoredReceipt(sys.db, { ...facts, reference: 'other:0' }, null, now)).rejects.toBeInstanceOf(ReceiptMismatchError);
    const other = await paySession(shop.key, { currency: 'SATS', amount: 5000 }, []);
    await expect(creditStoredReceipt(sys.db, { ...facts, sessionId: other }, null, now)).rejects.toBeInstanceOf(ReceiptMismatchError);
    await expect(creditStoredReceipt(sys.db, { ...facts, id: 'rcpt_unknown' }, null, now)).rejects.toBeInstanceOf(ReceiptNotStoredError);
    // A refused credit changed nothing: the receipt keeps its first credit.
    const after = await sys.db(T.receipts).where({ id: stored.id }).first();
    expect([after.status, after.credited_at, after.flag]).toEqual([stored.status, stored.credited_at, stored.flag]);

    // An uncredited receipt with matching facts is marked exactly once.
    const pending = { ...stored, id: 'rcpt_credit_check', reference: `${stored.reference}-again`, status: 'received', credited_at: null, flag: null };
    await sys.db(T.receipts).insert(pending);
    const pendingFacts = { ...facts, id: pending.id, reference: pending.reference };
    await expect(creditStoredReceipt(sys.db, { ...pendingFacts, sats: '1' }, null, now)).rejects.toBeInstanceOf(ReceiptMismatchError);
    expect((await sys.db(T.receipts).where({ id: pending.id }).first()).status).toBe('received');
    expect(await creditStoredReceipt(sys.db, pendingFacts, null, now)).toBe('credited');
    expect(await creditStoredReceipt(sys.db, pendingFacts, null, now + 1)).toBe('already');
    const marked = await sys.db(T.receipts).where({ id: pending.id }).first();
    expect([marked.status, Number(marked.credited_at)]).toEqual(['credited', now]);
    await sys.db(T.receipts).where({ id: pending.id }).delete();
  });
});

function startWorkerProcess(taskQueue: string, dataDir: string): ChildProcess {
  return spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'src/main.ts', 'worker'], {
    cwd: path.join(__dirname, '../..'),
    env: { ...process.env, DATABASE_URL: process.env.CHECKOUT_TEST_DATABASE_URL, TEMPORAL_ADDRESS: process.env.CHECKOUT_TEST_TEMPORAL_ADDRESS,
      TEMPORAL_TASK_QUEUE: taskQueue, DATA_DIR: dataDir, LOG_LEVEL: 'silent', ADMIN_API_KEY: ADMIN_KEY },
    stdio: 'ignore',
  });
}
