import { T } from '../../src/db/tables';
import { call } from '../support/testSystem';
import { useMerchant, useTestSystem } from '../support/useTestSystem';

/**
 * The public endpoints cannot be flooded. Visits that open sessions, the page's POSTs and the
 * simulator are limited per client IP and per link/session/payment (429 with Retry-After), and a
 * visitor who reloads a payment link gets their open session back instead of a new workflow.
 * TRUST_PROXY lets the test speak as different clients through X-Forwarded-For.
 */
const sys = useTestSystem({
  env: {
    TRUST_PROXY: 'true', RATE_LIMIT_PUBLIC_PER_IP: '5', RATE_LIMIT_PUBLIC_PER_TARGET: '3', RATE_LIMIT_SIMULATOR_PER_PAYMENT: '4',
  },
});
const merchant = useMerchant(sys);

const api = (method: string, route: string, body?: unknown) => call(sys.baseUrl, merchant.key, method, route, body);
/** A GET of a link (opens nothing) or, `go`, the customer pressing its Continue button (POST: opens a session). */
const visit = (path: string, ip: string, cookie?: string, method = 'GET') =>
  fetch(`${sys.baseUrl}${path}`, { method, redirect: 'manual', headers: { 'x-forwarded-for': ip, ...(cookie ? { cookie } : {}) } });
const go = (path: string, ip: string, cookie?: string) => visit(path, ip, cookie, 'POST');
const sessionsOfLink = async (id: string) => Number((await sys.db(T.sessions).where({ link_id: id }).count({ n: '*' }))[0].n);
const newLink = async () => (await api('POST', '/payment-links', { currency: 'SATS', amount: 1000, title: 'Tip' })).body.id as string;

test('a visitor who reloads a payment link 50 times gets the same open session, and is never limited for it', async () => {
  const link = await newLink();
  const first = await go(`/p/${link}`, '198.51.100.1');
  expect(first.status).toBe(303);
  const cookie = first.headers.get('set-cookie')!;
  expect(cookie).toMatch(new RegExp(`^plink_${link}=cs_\\w+; Max-Age=86400; Path=/p/${link}; HttpOnly; SameSite=Lax`));
  const location = first.headers.get('location');
  for (let i = 0; i < 50; i++) {
    const again = await (i % 2 ? go : visit)(`/p/${link}`, '198.51.100.1', cookie.split(';')[0]);
    expect({ status: again.status, location: again.headers.get('location') }).toEqual({ status: 303, location });
  }
  expect(await sessionsOfLink(link)).toBe(1);

  // Once that session is over, the same visitor gets a new one; a forged cookie is just ignored.
  const sessionId = location!.split('/pay/')[1];
  await api('POST', `/checkout-sessions/${sessionId}/deactivate`);
  const next = await go(`/p/${link}`, '198.51.100.1', cookie.split(';')[0]);
  expect(next.headers.get('location')).not.toBe(location);
  const other = await newLink();
  const forged = await go(`/p/${other}`, '198.51.100.1', `plink_${other}=${sessionId}`);
  expect(forged.headers.get('location')).not.toBe(location);
});

test('a client without cookies (a crawler) opens at most RATE_LIMIT_PUBLIC_PER_IP sessions a minute, then 429 + Retry-After', async () => {
  // Four links, two visits each: under the per-link limit, so only the per-client one applies.
  const links = [await newLink(), await newLink(), await newLink(), await newLink()];
  const statuses: number[] = [];
  for (let i = 0; i < 8; i++) statuses.push((await go(`/p/${links[i % 4]}`, '198.51.100.2')).status);
  expect(statuses).toEqual([303, 303, 303, 303, 303, 429, 429, 429]);
  const limited = await go(`/p/${links[3]}`, '198.51.100.2');
  expect(limited.status).toBe(429);
  expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
  expect(await limited.text()).toMatch(/Too many requests/);
  let opened = 0;
  for (const link of links) opened += await sessionsOfLink(link);
  expect(opened).toBe(5);
  // Another client is not affected.
  expect((await go(`/p/${links[3]}`, '198.51.100.3')).status).toBe(303);
});

test('one payment link opens at most RATE_LIMIT_PUBLIC_PER_TARGET sessions a minute, whatever the clients', async () => {
  const link = await newLink();
  const statuses: number[] = [];
  for (let i = 0; i < 5; i++) statuses.push((await go(`/p/${link}`, `203.0.113.${10 + i}`)).status);
  expect(statuses).toEqual([303, 303, 303, 429, 429]);
  expect(await sessionsOfLink(link)).toBe(3);
});

test('the page\'s simulate button is limited per session: a flood of 1-sat payments stops at the limit', async () => {
  const cs = (await api('POST', '/checkout-sessions', { currency: 'SATS', amount: 100_000, payment_methods: ['onchain'] })).body;
  const statuses: number[] = [];
  for (let i = 0; i < 6; i++) {
    const res = await fetch(`${sys.baseUrl}/pay/${cs.id}/simulate`, {
      method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': `192.0.2.${i}` }, body: JSON.stringify({ amount: 1 }),
    });
    statuses.push(res.status);
    if (res.status === 429) {
      expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
      expect((await res.json()).errors[0].type).toBe('rate_limit_error');
    }
  }
  // The first three reach the simulator (paid, or 400 while the next payment is being opened).
  expect(statuses.slice(3)).toEqual([429, 429, 429]);
  expect(statuses.slice(0, 3).every((s) => s === 200 || s === 400)).toBe(true);
  expect(Number((await sys.db(T.receipts).where({ checkout_session_id: cs.id }).count({ n: '*' }))[0].n)).toBeLessThanOrEqual(3);
});

test('the simulator endpoint is limited per payment', async () => {
  const cs = (await api('POST', '/checkout-sessions', { currency: 'SATS', amount: 100_000 })).body;
  const statuses: number[] = [];
  for (let i = 0; i < 6; i++) statuses.push((await api('POST', `/test-helpers/payments/${cs.payment_id}/receive`, { amount: 1 })).status);
  expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
  expect(Number((await sys.db(T.receipts).where({ payment_id: cs.payment_id }).count({ n: '*' }))[0].n)).toBe(4);
});
