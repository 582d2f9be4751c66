import { ADMIN_KEY } from '../support/testSystem';
import { useMerchant, useTestSystem } from '../support/useTestSystem';

/** L6: failed admin authentications are throttled per client; successful ones never are. */
const sys = useTestSystem({ env: { ADMIN_AUTH_MAX_FAILURES: '3', ADMIN_AUTH_FAILURE_WINDOW_SECONDS: '600', TRUST_PROXY: 'loopback' }, parts: ['api'] });
const merchant = useMerchant(sys);
/** An admin route of the merchant's (its keys). */
const route = () => `/accounts/${merchant.id}/keys`;

const basic = (key: string) => `Basic ${Buffer.from(`${key}:`).toString('base64')}`;
/** An admin request as seen from one client address (the test's proxy header, trusted from loopback). */
const asClient = (client: string, key: string) =>
  fetch(`${sys.baseUrl}${route()}`, { headers: { authorization: basic(key), 'x-forwarded-for': client } });

test('successful admin requests are never counted: 25 in a row from one client all succeed', async () => {
  const answers = [];
  for (let i = 0; i < 25; i++) answers.push((await asClient('198.51.100.10', ADMIN_KEY)).status);
  expect(new Set(answers)).toEqual(new Set([200]));
});

test('after the allowed failures a client gets 429 with Retry-After, even with the right key; other clients are untouched', async () => {
  const wrong = 'admin_wrong_Key_0123456789abcdefXYZ-qrstuvw';
  for (let i = 0; i < 3; i++) expect((await asClient('198.51.100.20', wrong)).status).toBe(401);
  const limited = await asClient('198.51.100.20', wrong);
  expect(limited.status).toBe(429);
  expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
  expect(Number(limited.headers.get('retry-after'))).toBeLessThanOrEqual(600);
  expect((await limited.json()).errors[0]).toMatchObject({ type: 'rate_limit_error' });
  // While limited the key is not even compared, so a right guess looks the same as a wrong one.
  const rightKey = await asClient('198.51.100.20', ADMIN_KEY);
  expect(rightKey.status).toBe(429);
  expect(rightKey.headers.get('retry-after')).not.toBeNull();
  expect((await asClient('198.51.100.21', ADMIN_KEY)).status).toBe(200);
  expect((await asClient('198.51.100.21', wrong)).status).toBe(401);
});

test('a missing or merchant-shaped key counts as a failed admin authentication', async () => {
  const noKey = () => fetch(`${sys.baseUrl}${route()}`, { headers: { 'x-forwarded-for': '198.51.100.30' } });
  expect((await noKey()).status).toBe(401);
  expect((await asClient('198.51.100.30', 'sk_test_notAnAdminKey0123456789')).status).toBe(401);
  expect((await noKey()).status).toBe(401);
  expect((await noKey()).status).toBe(429);
});
