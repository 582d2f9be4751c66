import { LndRestNode } from '../../src/bitcoin';
import { T } from '../../src/db/tables';
import { stateQuery } from '../../src/temporal/definitions';
import { watcherContext } from '../../src/watcher/context';
import { redeliverPending } from '../../src/watcher/redeliver';
import { followLightning } from '../../src/watcher/sources/lightningSource';
import { call, createMerchant, waitFor } from '../support/testSystem';
import { connectTransfers } from '../support/transferDestinations';
import { useMerchant, useTestSystem } from '../support/useTestSystem';
import { listedRuns } from '../support/visibility';
import { startStandIn as standIn } from '../unit/bitcoin/support/standInServer';

// No monitoring window: a settled session's workflow closes at once, so late money takes the resume path.
// A small history limit makes continue-as-new happen after a few dozen receipts.
const sys = useTestSystem({ env: { MONITORING_HOURS: '0', WORKFLOW_HISTORY_LIMIT: '60' } });
const merchant = useMerchant(sys);

const api = (method: string, route: string, body?: unknown) => call(sys.baseUrl, merchant.key, method, route, body);
const session = (id: string) => api('GET', `/checkout-sessions/${id}`).then((r) => r.body);

async function workflowClosed(id: string): Promise<boolean> {
  const d = await sys.temporal.workflow.getHandle(id).describe();
  return d.status.name !== 'RUNNING';
}

test('money arriving after the workflow closed is credited by a resumed run and flagged late', async () => {
  const [dest] = [await createMerchant(sys.baseUrl)];
  await connectTransfers(sys.baseUrl, merchant.id, dest.id);
  const cs = (await api('POST', '/checkout-sessions', { currency: 'SATS', amount: 5000, transfers: [{ destination_account: dest.id, percentage: 20 }] })).body;
  await api('POST', `/test-helpers/payments/${cs.payment_id}/receive`, { amount: 5000 });
  await waitFor(() => workflowClosed(cs.id), Boolean);
  expect(await workflowClosed(cs.id)).toBe(true);

  const late = await api('POST', `/test-helpers/payments/${cs.payment_id}/receive`, { amount: 1000 });
  const s = await waitFor(() => session(cs.id), (x) => x.target_amount_paid === 6000);
  expect(s).toMatchObject({ status: 'paid', exception_status: 'paid_late', target_amount_paid: 6000 });
  const receipt = await waitFor(() => sys.db(T.receipts).where({ id: late.body.id }).first(), (r) => r.status === 'credited');
  expect(receipt.flag).toBe('late');
  // The late receipt went through the same split: fee 10, transfer floor(990 × 20%) = 198.
  const transfers = await waitFor(() => sys.db(T.transfers).where({ receipt_id: late.body.id }), (ts) => ts.length === 1 && ts[0].status === 'paid');
  expect(transfers[0].amount).toBe('198');
  await waitFor(() => workflowClosed(cs.id), Boolean);
  expect(await listedRuns(sys.temporal, cs.id, 2)).toBe(2);
});

test('a session flooded with receipts continues as new and still counts each one once', async () => {
  const cs = (await api('POST', '/checkout-sessions', { currency: 'SATS', amount: 1_000_000, payment_methods: ['onchain'] })).body;
  const handle = sys.temporal.workflow.getHandle(cs.id);
  const firstRun = (await handle.describe()).runId;
  for (let i = 0; i < 30; i++) {
    await api('POST', `/test-helpers/payments/${cs.payment_id}/receive`, { amount: 100, reference: `flood${i}:0` });
  }
  // The same receipts again, after the continue-as-new: the dedupe set travelled with the state.
  await waitFor(() => session(cs.id), (s) => s.target_amount_paid === 3000, 30_000);
  for (let i = 0; i < 30; i += 7) {
    const receipt = await sys.db(T.receipts).where({ checkout_session_id: cs.id }).andWhere('reference', 'like', `sim:%:flood${i}:0`).first();
    await sys.temporal.workflow.signalWithStart('checkoutSession', {
      workflowId: cs.id, taskQueue: sys.taskQueue, args: [{ kind: 'resume', sessionId: cs.id, monitoringMs: 0 }],
      signal: 'receipt', signalArgs: [{ receiptId: receipt.id, reference: receipt.reference, paymentId: cs.payment_id, method: 'onchain', sats: '100',
        payment: { id: cs.payment_id, seq: 1, amount: '1000000', exchangeRate: '1', targetAmount: '1000000', expiresAt: Date.now() + 1e6 } }],
    });
  }
  const state = await waitFor(() => handle.query(stateQuery), (st) => st.seenReceipts.length === 30);
  expect(state.receivedSats).toBe('3000');
  // Continue-as-new happens once the inbox is drained, which may be a moment after the last signal.
  expect(await waitFor(async () => (await handle.describe()).runId, (runId) => runId !== firstRun)).not.toBe(firstRun);
  expect((await session(cs.id)).target_amount_paid).toBe(3000);
});

test('a receipt stored but never handed on (watcher crash) is delivered by the redelivery pass, once', async () => {
  const cs = (await api('POST', '/checkout-sessions', { currency: 'SATS', amount: 800 })).body;
  // Every test system's watcher shares this database: the receipt is due only at the pass's clock an
  // hour ahead, so this test's passes are the only ones that can hand it on.
  const hourAhead = Date.now() + 3_600_000;
  const receiptId = 'rcpt_orphan' + Date.now();
  await sys.db(T.receipts).insert({ id: receiptId, reference: `orphan${Date.now()}:0`, source: 'onchain', payment_id: cs.payment_id,
    checkout_session_id: cs.id, account_id: merchant.id, livemode: false, method: 'onchain', amount_sats: 800, status: 'received',
    created: Date.now() - 60_000, next_redelivery_at: hourAhead });
  const ctx = watcherContext(sys.ctx);
  expect(await redeliverPending(ctx, 1000, hourAhead)).toContain(receiptId);
  // A second pass (a restart) before crediting finished hands nothing on again.
  expect(await redeliverPending(ctx, 1000, hourAhead)).not.toContain(receiptId);
  const s = await waitFor(() => session(cs.id), (x) => x.status === 'paid');
  expect(s.target_amount_paid).toBe(800);
});

// The Esplora source's tests (live addresses only) are in test/api/esploraWatch.test.ts.
describe('chain sources against local stand-ins', () => {
  test('the Lightning source follows an LND invoice stream and credits the settled invoice', async () => {
    const cs = (await api('POST', '/checkout-sessions', { currency: 'SATS', amount: 2100, payment_methods: ['lightning'] })).body;
    const hash = (await api('GET', `/payments/${cs.payment_id}`)).body.payment_method_options.lightning.payment_hash;
    // The cursor row is shared by every test file on this database: start this stream from its beginning.
    await sys.db('watcher_cursors').where('name', 'like', 'lnd_settle_index%').delete();
    const requested: string[] = [];
    const lnd = await standIn((req, res) => {
      if (!req.url?.startsWith('/v1/invoices/subscribe')) return res.end('{}');
      requested.push(req.url);
      res.write(`${JSON.stringify({ result: { r_hash: Buffer.from(hash, 'hex').toString('base64'), state: 'OPEN', settle_index: '0' } })}\n`);
      res.write(`${JSON.stringify({ result: { r_hash: Buffer.from(hash, 'hex').toString('base64'), state: 'SETTLED', amt_paid_sat: '2100', settle_index: '1' } })}\n`);
    });
    const abort = new AbortController();
    try {
      const following = followLightning(watcherContext(sys.ctx), new LndRestNode({ url: lnd.url, macaroonHex: '00' }), abort.signal);
      const s = await waitFor(() => session(cs.id), (x) => x.status === 'paid');
      expect(s.target_amount_paid).toBe(2100);
      expect(await sys.db(T.receipts).where({ reference: hash }).first()).toMatchObject({ method: 'lightning', amount_sats: '2100' });
      abort.abort();
      await following;
      // A restarted watcher resumes the stream after the last settle_index it handled.
      const again = new AbortController();
      const resumed = followLightning(watcherContext(sys.ctx), new LndRestNode({ url: lnd.url, macaroonHex: '00' }), again.signal);
      await waitFor(async () => requested.length, (n) => n >= 2);
      again.abort();
      await resumed;
      expect(requested).toEqual(['/v1/invoices/subscribe', '/v1/invoices/subscribe?settle_index=1']);
    } finally {
      abort.abort();
      await lnd.close();
    }
  });
});
