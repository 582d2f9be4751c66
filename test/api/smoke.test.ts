import { call, createMerchant, startTestSystem, waitFor, type TestSystem } from '../support/testSystem';

let sys: TestSystem;
beforeAll(async () => { sys = await startTestSystem(); });
afterAll(async () => { await sys?.stop(); });

test('a session paid through the simulator reads paid', async () => {
  const m = await createMerchant(sys.baseUrl);
  const created = await call(sys.baseUrl, m.key, 'POST', '/checkout-sessions', { currency: 'SATS', amount: 100000, amount_paid_tolerance: 2.5 });
  expect(created.status).toBe(200);
  expect(created.body.status).toBe('active');
  expect(created.body.payment_id).toMatch(/^pi_/);
  const r1 = await call(sys.baseUrl, m.key, 'POST', `/test-helpers/payments/${created.body.payment_id}/receive`, { amount: 97499 });
  expect(r1.status).toBe(200);
  const partial = await waitFor(() => call(sys.baseUrl, m.key, 'GET', `/checkout-sessions/${created.body.id}`), (r) => r.body.target_amount_paid === 97499);
  expect(partial.body.status).toBe('active');
  await call(sys.baseUrl, m.key, 'POST', `/test-helpers/payments/${partial.body.payment_id}/receive`, { amount: 1, method: 'lightning' });
  const paid = await waitFor(() => call(sys.baseUrl, m.key, 'GET', `/checkout-sessions/${created.body.id}`), (r) => r.body.status === 'paid');
  expect(paid.body.status).toBe('paid');
  expect(paid.body.amount_paid).toBe(97500);
  expect(paid.body.exception_status).toBe('underpaid');
});
