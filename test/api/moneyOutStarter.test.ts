import { randomBytes } from 'node:crypto';
import { generateNodeKey, LocalLightningNode } from '../../src/bitcoin';
import { accountFunds } from '../../src/db/funds';
import type { MoneyOutTable } from '../../src/db/moneyOutStarts';
import { reconcile, type Difference } from '../../src/services/reconcile';
import { LnurlWallet } from '../support/lnurlWallet';
import { call, paidMerchant, waitFor } from '../support/testSystem';
import { useTestSystem } from '../support/useTestSystem';

/**
 * A payout, refund or withdrawal link is recorded and its money reserved in one transaction, then its
 * workflow is started. When that start fails (Temporal unreachable) the client gets a 5xx; if it never
 * retries, the worker's money-out starter (src/services/moneyOutStarter.ts) starts the workflow once the
 * row is older than MONEY_OUT_START_CHECK_MS, so the money is paid or released, never reserved for good.
 */
const sys = useTestSystem({ env: { BITCOIN_NETWORK: 'regtest', MONEY_OUT_START_CHECK_MS: '1000' } });
let wallet: LnurlWallet;
const customer = new LocalLightningNode(generateNodeKey().privateKey, 'regtest');
beforeAll(() => { wallet = new LnurlWallet(sys.config.publicUrl, sys.baseUrl); });

const api = (key: string, method: string, route: string, body?: unknown) =>
  call(sys.baseUrl, key, method, route, body, { 'Idempotency-Key': `k-${randomBytes(6).toString('hex')}` });
const invoice = (sats: number) => customer.createInvoice({ amountSats: BigInt(sats), memo: 'money out', expirySeconds: 600 }).then((i) => i.paymentRequest);
const startedAt = async (table: MoneyOutTable, id: string) => (await sys.db(table).first('workflow_started_at').where({ id }))?.workflow_started_at ?? null;
const statusUntil = async (key: string, route: string, done: string) => {
  const got = await waitFor(() => api(key, 'GET', route), (r) => r.body.status === done, 30_000);
  return got.body.status;
};

/** Makes every start of a money-out workflow fail, as an unreachable Temporal would, until the returned function is called. */
function failMoneyOutStarts(): () => void {
  const client = sys.ctx.temporal.workflow;
  const start = client.start.bind(client);
  client.start = (async (type: unknown, options: never) => {
    if (type === 'payout' || type === 'refund' || type === 'withdrawalLink') throw new Error('Temporal is unreachable');
    return start(type as never, options);
  }) as typeof client.start;
  return () => { delete (client as { start?: unknown }).start; };
}

test('creates whose workflows could not start, never retried: the starter starts them, each is paid once, nothing stays reserved', async () => {
  const { m, cs } = await paidMerchant(sys.baseUrl, 20_000);
  const before = await accountFunds(sys.db, m.id, false);

  const restore = failMoneyOutStarts();
  let created;
  try {
    created = {
      payout: await api(m.key, 'POST', '/instant-sends', { amount: 1000, currency: 'SATS', withdraw_method: 'lightning', withdraw_request: await invoice(1000) }),
      refundToInvoice: await api(m.key, 'POST', '/refunds', { checkout_session: cs.id, amount: 1500, withdraw_method: 'lightning', withdraw_request: await invoice(1500) }),
      refundAsLink: await api(m.key, 'POST', '/refunds', { checkout_session: cs.id, amount: 2000 }),
      link: await api(m.key, 'POST', '/withdrawal-links', { currency: 'SATS', amount: 3000 }),
    };
  } finally {
    restore();
  }
  expect(Object.values(created).map((r) => r.status)).toEqual([500, 500, 500, 500]);
  // Every create committed its row and reservation, and no workflow was confirmed.
  const rows = {
    payout: await sys.db('payouts').first('id', 'workflow_started_at').where({ account_id: m.id }),
    refunds: await sys.db('refunds').select('id', 'amount', 'withdrawal_link_id', 'workflow_started_at').where({ checkout_session_id: cs.id }).orderBy('amount'),
    links: await sys.db('withdrawal_links').select('id', 'refund_id', 'workflow_started_at').where({ account_id: m.id }),
  };
  expect([rows.payout.workflow_started_at, ...rows.refunds.map((r) => r.workflow_started_at), ...rows.links.map((l) => l.workflow_started_at)])
    .toEqual([null, null, null, null, null]);
  expect((await accountFunds(sys.db, m.id, false)).reserved - before.reserved).toBeGreaterThanOrEqual(7500n);
  const [refundToInvoice, refundAsLink] = rows.refunds;
  const standaloneLink = rows.links.find((l) => l.refund_id === null)!;

  // No retry: the starter takes them within a few of its 1 s steps.
  expect(await statusUntil(m.key, `/instant-sends/${rows.payout.id}`, 'paid')).toBe('paid');
  expect(await statusUntil(m.key, `/refunds/${refundToInvoice.id}`, 'succeeded')).toBe('succeeded');
  await waitFor(async () => [await startedAt('refunds', refundAsLink.id), await startedAt('withdrawal_links', refundAsLink.withdrawal_link_id),
    await startedAt('withdrawal_links', standaloneLink.id)], (marks) => marks.every((t) => t !== null), 30_000);
  const refundLink = (await api(m.key, 'GET', `/refunds/${refundAsLink.id}`)).body.withdraw_request;
  const link = (await api(m.key, 'GET', `/withdrawal-links/${standaloneLink.id}`)).body.withdraw_request;
  expect(await wallet.claim(refundLink, (sats) => invoice(Number(sats)))).toEqual({ status: 'OK' });
  expect(await wallet.claim(link, (sats) => invoice(Number(sats)))).toEqual({ status: 'OK' });
  expect(await statusUntil(m.key, `/refunds/${refundAsLink.id}`, 'succeeded')).toBe('succeeded');
  expect(await statusUntil(m.key, `/withdrawal-links/${standaloneLink.id}`, 'paid')).toBe('paid');
  // Each paid once (test mode sends carry no network fee), and every reservation released.
  expect(await accountFunds(sys.db, m.id, false)).toMatchObject({ balance: before.balance - 7500n, reserved: 0n });
  for (const table of ['payouts', 'refunds', 'withdrawal_links'] as const) {
    expect(await sys.db(table).whereNull('workflow_started_at').andWhere({ account_id: m.id }).count({ n: '*' }).first()).toEqual({ n: '0' });
  }
});

test('a create whose workflow started is marked at once, so the starter never reads it', async () => {
  const { m, cs } = await paidMerchant(sys.baseUrl, 5000);
  const payout = await api(m.key, 'POST', '/instant-sends', { amount: 1000, currency: 'SATS', withdraw_method: 'lightning', withdraw_request: await invoice(1000) });
  const refund = await api(m.key, 'POST', '/refunds', { checkout_session: cs.id, amount: 500 });
  expect([payout.status, refund.status]).toEqual([200, 200]);
  expect(await startedAt('payouts', payout.body.id)).not.toBeNull();
  expect(await startedAt('refunds', refund.body.id)).not.toBeNull();
  expect(await startedAt('withdrawal_links', refund.body.withdrawal_link)).not.toBeNull();
});

test('reconcile names an open row whose workflow was never confirmed for 5 minutes; the starter confirms it', async () => {
  const { m } = await paidMerchant(sys.baseUrl, 5000);
  const link = (await api(m.key, 'POST', '/withdrawal-links', { currency: 'SATS', amount: 1000 })).body;
  const named = (diffs: Difference[]) => diffs.filter((d) => d.subject === `${link.id} (withdrawal_link)`).map((d) => d.kind);
  // Written and checked in one transaction, which the starter cannot see: the link as if its create had
  // committed 10 minutes ago and its start had failed.
  const seen = await sys.db.transaction(async (tx) => {
    await tx('withdrawal_links').where({ id: link.id }).update({ workflow_started_at: null, created: Date.now() - 10 * 60_000 });
    return named(await reconcile(tx));
  });
  expect(seen).toEqual(['money_out_workflow_not_started']);
  // Committed, the starter finds it: its start meets the running workflow (a no-op) and marks the row.
  expect(await waitFor(() => startedAt('withdrawal_links', link.id), (t) => t !== null, 30_000)).not.toBeNull();
  expect(named(await reconcile(sys.db))).toEqual([]);
  expect((await api(m.key, 'GET', `/withdrawal-links/${link.id}`)).body.status).toBe('active');
});
