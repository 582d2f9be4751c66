import { T } from '../../src/db/tables';
import { call } from '../support/testSystem';
import { useMerchant, useTestSystem } from '../support/useTestSystem';

/**
 * A payment link's anonymous visits cannot burn the merchant's wallet addresses: a GET opens nothing,
 * and the sessions that going on (POST) opens are capped per link at PAYMENT_LINK_MAX_OPEN_SESSIONS
 * open unpaid ones (then 429 + Retry-After). The rate limits are set high here so only the cap applies.
 */
const CAP = 4;
const sys = useTestSystem({
  env: {
    TRUST_PROXY: 'true', RATE_LIMIT_PUBLIC_PER_IP: '1000', RATE_LIMIT_PUBLIC_PER_TARGET: '1000', PAYMENT_LINK_MAX_OPEN_SESSIONS: String(CAP),
  },
});
const merchant = useMerchant(sys);

const api = (method: string, route: string, body?: unknown) => call(sys.baseUrl, merchant.key, method, route, body);
const nextIndex = async () => Number((await sys.db(T.accounts).where({ id: merchant.id }).first('next_address_index_test')).next_address_index_test);
const request = (path: string, method: string, ip: string) =>
  fetch(`${sys.baseUrl}${path}`, { method, redirect: 'manual', headers: { 'x-forwarded-for': ip } });

test('100 anonymous GETs of a payment link open no session and take no address index', async () => {
  const link = (await api('POST', '/payment-links', { currency: 'SATS', amount: 1000, title: 'Tip jar', payment_methods: ['onchain'] })).body.id;
  const before = await nextIndex();
  for (let i = 0; i < 100; i++) {
    const res = await request(`/p/${link}`, 'GET', `198.51.100.${i}`);
    expect(res.status).toBe(200);
    const page = await res.text();
    if (i === 0) expect(page).toMatch(new RegExp(`<form method="post" action="/p/${link}">[\\s\\S]*Continue to payment`));
  }
  expect(await nextIndex()).toBe(before);
  expect(await sys.db(T.sessions).where({ link_id: link })).toHaveLength(0);
});

test('100 anonymous customers going on take at most the cap\'s address indexes; then 429 with Retry-After until one is paid', async () => {
  const link = (await api('POST', '/payment-links', { currency: 'SATS', amount: 1000, title: 'Tip jar', payment_methods: ['onchain'] })).body.id;
  const before = await nextIndex();
  const statuses: number[] = [];
  let limited: Response | undefined;
  for (let i = 0; i < 100; i++) {
    const res = await request(`/p/${link}`, 'POST', `203.0.113.${i}`);
    statuses.push(res.status);
    if (res.status === 429) limited ??= res;
    else await res.text();
  }
  expect(statuses.filter((s) => s === 303)).toHaveLength(CAP);
  expect(statuses.filter((s) => s === 429)).toHaveLength(100 - CAP);
  expect(await nextIndex() - before).toBeLessThanOrEqual(CAP);
  expect(Number(limited!.headers.get('retry-after'))).toBeGreaterThan(0);
  expect(await limited!.text()).toMatch(/Many customers are paying through this link/);

  // A paid session is no longer open: the next customer gets one.
  const [open] = await sys.db(T.sessions).where({ link_id: link }).select('id', 'payment_id');
  await api('POST', `/test-helpers/payments/${open.payment_id}/receive`, { amount: 1000, method: 'onchain' });
  const deadline = Date.now() + 30_000;
  let status = 429;
  while (status === 429 && Date.now() < deadline) {
    const res = await request(`/p/${link}`, 'POST', '192.0.2.77');
    status = res.status;
    await res.text();
    if (status === 429) await new Promise((r) => setTimeout(r, 250));
  }
  expect(status).toBe(303);
});
