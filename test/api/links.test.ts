import { recordCheckoutLinkPaid } from '../../src/webhooks/linkEvents';
import { call, createMerchant, waitFor } from '../support/testSystem';
import { useTestSystem } from '../support/useTestSystem';

const sys = useTestSystem();

const LINK = { currency: 'SATS', amount: 10_000, title: 'Sticker pack' };

/** A GET that does not follow redirects, so the test sees where a link sends the customer. */
/** A GET (a checkout link, or a payment link's first page) or a POST (a payment link's Continue button). */
async function visit(path: string, method = 'GET'): Promise<{ status: number; location: string | null }> {
  const res = await fetch(`${sys.baseUrl}${path}`, { method, redirect: 'manual' });
  await res.text();
  return { status: res.status, location: res.headers.get('location') };
}

async function pay(key: string, sessionId: string) {
  const session = await call(sys.baseUrl, key, 'GET', `/checkout-sessions/${sessionId}`);
  await call(sys.baseUrl, key, 'POST', `/test-helpers/payments/${session.body.payment_id}/receive`, { amount: session.body.amount });
  return waitFor(() => call(sys.baseUrl, key, 'GET', `/checkout-sessions/${sessionId}`), (r) => r.body.status === 'paid');
}

describe('checkout links', () => {
  test('a checkout link makes exactly one session, /c/{id} opens it, and a retried create makes nothing new', async () => {
    const m = await createMerchant(sys.baseUrl);
    const headers = { 'Idempotency-Key': 'clink-once' };
    const first = await call(sys.baseUrl, m.key, 'POST', '/checkout-links', LINK, headers);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      object: 'checkout.link', status: 'active', livemode: false, currency: 'SATS', amount: 10_000, title: 'Sticker pack', payment_id: [],
    });
    expect(first.body.id).toMatch(/^clink_/);
    expect(first.body.url).toBe(`http://checkout.test/c/${first.body.id}`);
    expect(first.body.checkout_session).toMatch(/^cs_/);

    const retried = await call(sys.baseUrl, m.key, 'POST', '/checkout-links', LINK, headers);
    expect(retried.body).toEqual(first.body);
    const sessions = await call(sys.baseUrl, m.key, 'GET', '/checkout-sessions');
    expect(sessions.body.data.map((s: { id: string }) => s.id)).toEqual([first.body.checkout_session]);
    expect(sessions.body.data[0]).toMatchObject({ amount: 10_000, title: 'Sticker pack', status: 'active' });

    expect(await visit(`/c/${first.body.id}`)).toEqual({ status: 303, location: `/pay/${first.body.checkout_session}` });
  });

  test('a paid checkout link reads paid, lists its payments and cannot be deactivated', async () => {
    const m = await createMerchant(sys.baseUrl);
    const link = (await call(sys.baseUrl, m.key, 'POST', '/checkout-links', LINK)).body;
    const paid = await pay(m.key, link.checkout_session);
    const read = await call(sys.baseUrl, m.key, 'GET', `/checkout-links/${link.id}`);
    expect(read.body.status).toBe('paid');
    expect(read.body.payment_id).toEqual(paid.body.payments.map((p: { id: string }) => p.id));
    const refused = await call(sys.baseUrl, m.key, 'POST', `/checkout-links/${link.id}/deactivate`);
    expect(refused.status).toBe(409);
    expect(refused.body.errors[0]).toMatchObject({ code: 'unexpected_state', message: expect.stringMatching(/paid/) });
    const paidList = await call(sys.baseUrl, m.key, 'GET', '/checkout-links?status=paid');
    expect(paidList.body.data.map((l: { id: string }) => l.id)).toEqual([link.id]);
  });

  test('deactivating a checkout link deactivates its session, and its URL then answers 410', async () => {
    const m = await createMerchant(sys.baseUrl);
    const link = (await call(sys.baseUrl, m.key, 'POST', '/checkout-links', LINK)).body;
    const done = await call(sys.baseUrl, m.key, 'POST', `/checkout-links/${link.id}/deactivate`);
    expect(done.status).toBe(200);
    expect(done.body.status).toBe('deactivated');
    const session = await call(sys.baseUrl, m.key, 'GET', `/checkout-sessions/${link.checkout_session}`);
    expect(session.body.status).toBe('deactivated');
    expect((await visit(`/c/${link.id}`)).status).toBe(410);
    const again = await call(sys.baseUrl, m.key, 'POST', `/checkout-links/${link.id}/deactivate`);
    expect(again.status).toBe(409);
    expect(again.body.errors[0]).toMatchObject({ code: 'unexpected_state', message: expect.stringMatching(/already deactivated/) });
  });
});

describe('payment links', () => {
  test('each customer who goes on opens a new session; deactivation cascades to the active ones and leaves paid ones paid', async () => {
    const m = await createMerchant(sys.baseUrl);
    const link = (await call(sys.baseUrl, m.key, 'POST', '/payment-links', { ...LINK, ttl: 600 })).body;
    expect(link).toMatchObject({ object: 'payment.link', status: 'active', url: `http://checkout.test/p/${link.id}`, ttl: 600 });
    expect(link.id).toMatch(/^plink_/);
    expect(link).not.toHaveProperty('checkout_session');

    expect((await visit(`/p/${link.id}`)).status).toBe(200); // the first page opens nothing
    const [a, b] = [await visit(`/p/${link.id}`, 'POST'), await visit(`/p/${link.id}`, 'POST')];
    expect(a.status).toBe(303);
    const [csA, csB] = [a.location!.replace('/pay/', ''), b.location!.replace('/pay/', '')];
    expect(csA).toMatch(/^cs_/);
    expect(csB).not.toBe(csA);
    const sessionA = await call(sys.baseUrl, m.key, 'GET', `/checkout-sessions/${csA}`);
    expect(sessionA.body).toMatchObject({ amount: 10_000, ttl: 600, title: 'Sticker pack', status: 'active' });
    await pay(m.key, csA);

    const done = await call(sys.baseUrl, m.key, 'POST', `/payment-links/${link.id}/deactivate`);
    expect(done.status).toBe(200);
    expect(done.body.status).toBe('deactivated');
    expect((await call(sys.baseUrl, m.key, 'GET', `/checkout-sessions/${csA}`)).body.status).toBe('paid');
    expect((await call(sys.baseUrl, m.key, 'GET', `/checkout-sessions/${csB}`)).body.status).toBe('deactivated');
    expect((await visit(`/p/${link.id}`)).status).toBe(410);
    expect((await visit(`/p/${link.id}`, 'POST')).status).toBe(410);
    const head = await fetch(`${sys.baseUrl}/p/${link.id}`, { method: 'HEAD' });
    expect(head.status).toBe(410);
    expect((await call(sys.baseUrl, m.key, 'GET', '/checkout-sessions')).body.data).toHaveLength(2);
  });

  test('a retried create with the same Idempotency-Key returns the same payment link and makes no second one', async () => {
    const m = await createMerchant(sys.baseUrl);
    const headers = { 'Idempotency-Key': 'plink-once' };
    const first = await call(sys.baseUrl, m.key, 'POST', '/payment-links', LINK, headers);
    const again = await call(sys.baseUrl, m.key, 'POST', '/payment-links', LINK, headers);
    expect(again.body.id).toBe(first.body.id);
    expect((await call(sys.baseUrl, m.key, 'GET', '/payment-links')).body.data).toHaveLength(1);
    expect((await call(sys.baseUrl, m.key, 'GET', '/checkout-sessions')).body.data).toHaveLength(0);
  });

  test('a payment link is never paid: its list refuses that filter', async () => {
    const m = await createMerchant(sys.baseUrl);
    const res = await call(sys.baseUrl, m.key, 'GET', '/payment-links?status=paid');
    expect(res.status).toBe(400);
    expect(res.body.errors[0].param).toBe('status');
  });
});

describe('both kinds', () => {
  test('lists are newest first with starting_after / ending_before cursors and a status filter', async () => {
    const m = await createMerchant(sys.baseUrl);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await call(sys.baseUrl, m.key, 'POST', '/payment-links', { ...LINK, amount: 100 + i })).body.id);
    const page1 = await call(sys.baseUrl, m.key, 'GET', '/payment-links?limit=2');
    expect(page1.body).toMatchObject({ object: 'list', has_more: true });
    expect(page1.body.data.map((l: { id: string }) => l.id)).toEqual([ids[2], ids[1]]);
    const page2 = await call(sys.baseUrl, m.key, 'GET', `/payment-links?limit=2&starting_after=${ids[1]}`);
    expect(page2.body.data.map((l: { id: string }) => l.id)).toEqual([ids[0]]);
    expect(page2.body.has_more).toBe(false);
    const back = await call(sys.baseUrl, m.key, 'GET', `/payment-links?limit=1&ending_before=${ids[0]}`);
    expect(back.body.data.map((l: { id: string }) => l.id)).toEqual([ids[1]]);

    await call(sys.baseUrl, m.key, 'POST', `/payment-links/${ids[1]}/deactivate`);
    const deactivated = await call(sys.baseUrl, m.key, 'GET', '/payment-links?status=deactivated');
    expect(deactivated.body.data.map((l: { id: string }) => l.id)).toEqual([ids[1]]);
    const active = await call(sys.baseUrl, m.key, 'GET', '/payment-links?status=active');
    expect(active.body.data.map((l: { id: string }) => l.id)).toEqual([ids[2], ids[0]]);
  });

  test.each([
    ['/checkout-links', { currency: 'SATS' }, 'amount', /required/],
    ['/payment-links', { ...LINK, colour: 'red' }, 'colour', /unknown parameter/],
    ['/checkout-links', { ...LINK, success_url: 'https://shop.test/ok', success_message: 'Thanks' }, 'success_message', /either/],
    ['/payment-links', { currency: 'SATS', type: 'options' }, 'options', /required/],
    ['/payment-links', { ...LINK, custom_fields: [{ type: 'dropdown', label: 'Size' }] }, 'custom_fields[0].options', /options/],
    ['/checkout-links', { ...LINK, ttl: 0 }, 'ttl', /at least/],
  ])('POST %s with a bad body is a 400 naming the field (%j)', async (path, body, param, message) => {
    const m = await createMerchant(sys.baseUrl);
    const res = await call(sys.baseUrl, m.key, 'POST', path, body);
    expect(res.status).toBe(400);
    expect(res.body.errors[0].param).toBe(param);
    expect(res.body.errors[0].message).toMatch(message);
  });

  test('a payment link checks its transfers when it is made, not when a customer visits', async () => {
    const m = await createMerchant(sys.baseUrl);
    const own = await call(sys.baseUrl, m.key, 'POST', '/payment-links', { ...LINK, transfers: [{ destination_account: m.id, percentage: 10 }] });
    expect(own.status).toBe(400);
    expect(own.body.errors[0].param).toBe('transfers[0].destination_account');
    const nobody = await call(sys.baseUrl, m.key, 'POST', '/payment-links', { ...LINK, transfers: [{ destination_account: 'acct_nobody', percentage: 10 }] });
    expect(nobody.status).toBe(400);
    expect(nobody.body.errors[0].message).toMatch(/not a connected transfer destination/);
    expect((await call(sys.baseUrl, m.key, 'GET', '/payment-links')).body.data).toHaveLength(0);
  });

  test("another account's link is 404, and an unknown link URL is a 404 page", async () => {
    const owner = await createMerchant(sys.baseUrl);
    const other = await createMerchant(sys.baseUrl);
    const link = (await call(sys.baseUrl, owner.key, 'POST', '/checkout-links', LINK)).body;
    expect((await call(sys.baseUrl, other.key, 'GET', `/checkout-links/${link.id}`)).status).toBe(404);
    expect((await call(sys.baseUrl, other.key, 'POST', `/checkout-links/${link.id}/deactivate`)).status).toBe(404);
    expect((await call(sys.baseUrl, owner.key, 'GET', `/payment-links/${link.id}`)).status).toBe(404);
    const page = await fetch(`${sys.baseUrl}/p/plink_doesnotexist`);
    expect(page.status).toBe(404);
    expect(await page.text()).toContain('Checkout not found');
  });

  test('creating and deactivating links records checkout_link.* and payment_link.* events', async () => {
    const m = await createMerchant(sys.baseUrl);
    const clink = (await call(sys.baseUrl, m.key, 'POST', '/checkout-links', LINK)).body;
    const plink = (await call(sys.baseUrl, m.key, 'POST', '/payment-links', LINK)).body;
    await call(sys.baseUrl, m.key, 'POST', `/payment-links/${plink.id}/deactivate`);
    const types = async (type: string) => (await call(sys.baseUrl, m.key, 'GET', `/events?event_type=${type}`)).body.data;
    const [created] = await types('checkout_link.created');
    expect(created.data.object).toMatchObject({ id: clink.id, object: 'checkout.link', status: 'active' });
    expect((await types('payment_link.created'))[0].data.object.id).toBe(plink.id);
    const [deactivated] = await types('payment_link.deactivated');
    expect(deactivated.data.object).toMatchObject({ id: plink.id, status: 'deactivated' });
  });

  test('paying a checkout link\'s session records checkout_link.paid once; other sessions record none', async () => {
    const m = await createMerchant(sys.baseUrl);
    const clink = (await call(sys.baseUrl, m.key, 'POST', '/checkout-links', LINK)).body;
    await pay(m.key, clink.checkout_session);
    const paidEvents = await waitFor(() => call(sys.baseUrl, m.key, 'GET', '/events?event_type=checkout_link.paid'), (r) => r.body.data.length === 1);
    const id = paidEvents.body.data[0].id;
    const plain = (await call(sys.baseUrl, m.key, 'POST', '/checkout-sessions', LINK)).body;
    expect(await recordCheckoutLinkPaid(sys.db, plain.id, 'http://checkout.test', Date.now())).toBeNull();
    expect(await recordCheckoutLinkPaid(sys.db, clink.checkout_session, 'http://checkout.test', Date.now())).toBe(id);
    const event = await call(sys.baseUrl, m.key, 'GET', `/events/${id}`);
    expect(event.body).toMatchObject({ event_type: 'checkout_link.paid', data: { object: { id: clink.id, status: 'paid' } } });
  });
});
