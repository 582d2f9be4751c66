/**
 * A flood of receipts cannot grow a session's workflow state without bound: payments and the receipt
 * dedupe set are capped (the database keeps everything and dedupes), and every sat is still counted,
 * including money for a payment the state has dropped.
 */
import { T } from '../../src/db/tables';
import { STATE_CAPS } from '../../src/domain/transitions';
import { stateQuery } from '../../src/temporal/definitions';
import { call, waitFor } from '../support/testSystem';
import { useMerchant, useTestSystem } from '../support/useTestSystem';

const sys = useTestSystem();
const merchant = useMerchant(sys);

const api = (method: string, route: string, body?: unknown) => call(sys.baseUrl, merchant.key, method, route, body);
const session = (id: string) => api('GET', `/checkout-sessions/${id}`).then((r) => r.body);

test('40 partial payments: the state keeps at most the cap, the totals and the database keep everything', async () => {
  const cs = (await api('POST', '/checkout-sessions', { currency: 'SATS', amount: 1_000_000, payment_methods: ['onchain'] })).body;
  let current = cs.payment_id as string;
  for (let i = 1; i <= 40; i++) {
    await api('POST', `/test-helpers/payments/${current}/receive`, { amount: 10 });
    const s = await waitFor(() => session(cs.id), (x) => x.target_amount_paid === 10 * i && x.payment_id !== current);
    current = s.payment_id;
  }
  const handle = sys.temporal.workflow.getHandle(cs.id);
  const state = await handle.query(stateQuery);
  expect(state.receivedSats).toBe('400');
  expect(state.payments.length).toBeLessThanOrEqual(STATE_CAPS.payments);
  expect(await sys.db(T.payments).where({ checkout_session_id: cs.id }).count({ n: '*' })).toEqual([{ n: '41' }]);
  // The payload every activity carries stays small however long the flood.
  expect(JSON.stringify(state).length).toBeLessThan(20_000);

  // Money for the first payment, long dropped from the state: counted once, its stored total not rewound.
  expect(state.payments.some((p) => p.id === cs.payment_id)).toBe(false);
  await api('POST', `/test-helpers/payments/${cs.payment_id}/receive`, { amount: 15 });
  expect(await waitFor(() => session(cs.id), (x) => x.target_amount_paid === 415)).toMatchObject({ target_amount_paid: 415 });
  expect(await sys.db(T.payments).where({ id: cs.payment_id }).first()).toMatchObject({ received_sats: '25' });
  expect((await handle.query(stateQuery)).payments.length).toBeLessThanOrEqual(STATE_CAPS.payments);
}, 300_000); // a hang guard, not a time limit: 80 sequential round trips on a loaded 2-core box
