import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import { readSessionWithFunded } from '../../src/db/sessionRead';
import { T } from '../../src/db/tables';
import { checkoutSessionView } from '../../src/views/checkoutSession';
import { storedSessionView } from '../../src/views/storedSessionView';
import { call, waitFor } from '../support/testSystem';
import { useMerchant, useTestSystem } from '../support/useTestSystem';
import { connectTransfers } from '../support/transferDestinations';

/**
 * `GET /checkout-sessions/{id}` sends the session's stored object (`view_json`, migration 161) when it
 * has one. These tests hold it to the one rule that makes that safe: a stored text is always exactly
 * the object rendered from the row and its funded payments as they are, after every kind of write, and
 * a GET sends the same bytes whether it sends the stored text or renders from the row.
 */
const sys = useTestSystem();
const merchant = useMerchant(sys, { name: 'Shop' });
const partner = useMerchant(sys, { name: 'Partner' });
beforeAll(async () => { await connectTransfers(sys.baseUrl, merchant.id, partner.id); });

const scope = () => ({ accountId: merchant.id, livemode: false });
const api = (method: string, route: string, body?: unknown) => call(sys.baseUrl, merchant.key, method, route, body);
const session = (id: string) => api('GET', `/checkout-sessions/${id}`).then((r) => r.body);
const until = (id: string, done: (s: any) => boolean) => waitFor(() => session(id), done, 30_000);
const receive = (paymentId: string, amount: number) => api('POST', `/test-helpers/payments/${paymentId}/receive`, { amount });

/** A GET's status, content type and body, byte for byte. */
async function rawGet(id: string): Promise<{ status: number; type: string | null; text: string }> {
  const res = await fetch(`${sys.baseUrl}/checkout-sessions/${id}`, { headers: { authorization: `Basic ${Buffer.from(`${merchant.key}:`).toString('base64')}` } });
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
}

/** In one snapshot: the stored text and the object rendered from the row and its funded payments now. */
async function snapshot(id: string): Promise<{ stored: string | null; rendered: string; served: string }> {
  return sys.db.transaction(async (tx: Knex.Transaction) => {
    await tx.raw('set transaction isolation level repeatable read');
    const { view_json: stored } = await tx(T.sessions).where({ id }).first('view_json');
    const found = (await readSessionWithFunded(tx as never, id, scope()))!;
    return {
      stored, rendered: storedSessionView(found.row, found.funded),
      served: JSON.stringify(checkoutSessionView(found.row, found.funded, sys.config.publicUrl)),
    };
  });
}

/**
 * The rule, checked after a write: the stored text (when there is one) is the object rendered from the
 * row in the same snapshot, and a GET sends the rendered object. The GET is compared only with a state
 * it was read between (a workflow write may land meanwhile; then it reads again).
 */
async function expectStoredIsRendered(id: string, stored: 'stored' | 'either' = 'stored'): Promise<string> {
  for (let attempt = 0; ; attempt++) {
    const before = await snapshot(id);
    if (stored === 'stored') expect(before.stored).not.toBeNull();
    if (before.stored !== null) expect(before.stored).toBe(before.rendered);
    const got = await rawGet(id);
    const after = await snapshot(id);
    if (before.served === after.served || attempt > 20) {
      expect(got).toEqual({ status: 200, type: 'application/json; charset=utf-8', text: before.served });
      return got.text;
    }
  }
}

describe('the stored session object after each kind of write', () => {
  test('created, partly paid, renewed at its TTL, metadata updated, paid, deactivated', async () => {
    const cs = (await api('POST', '/checkout-sessions', { currency: 'SATS', amount: 5000, ttl: 1, amount_paid_tolerance: 0, metadata: { order: 'é"\\</' } })).body;
    await expectStoredIsRendered(cs.id);

    // A payment received in part: the payment is funded, a new one opens for the rest.
    await receive(cs.payment_id, 2000);
    const partial = await until(cs.id, (s) => s.payments.length === 1 && s.payment_id !== cs.payment_id);
    await expectStoredIsRendered(cs.id);

    // Its TTL passes: the payment expires (an API read shows it, never renews it); the payment page renews it.
    await waitFor(() => api('GET', `/payments/${partial.payment_id}`), (r) => r.body.status === 'expired', 30_000);
    await expectStoredIsRendered(cs.id);
    const renewed = (await waitFor(async () => { await fetch(`${sys.baseUrl}/pay/${cs.id}/status`); return session(cs.id); },
      (s) => s.payment_id !== partial.payment_id, 30_000));
    await expectStoredIsRendered(cs.id);

    // Descriptive fields: not a workflow write.
    expect((await api('POST', `/checkout-sessions/${cs.id}`, { metadata: { order: 'changed', extra: '1' } })).status).toBe(200);
    expect(JSON.parse(await expectStoredIsRendered(cs.id)).metadata).toEqual({ order: 'changed', extra: '1' });

    await receive(renewed.payment_id, 3000);
    await until(cs.id, (s) => s.status === 'paid');
    expect(JSON.parse(await expectStoredIsRendered(cs.id))).toMatchObject({ status: 'paid', target_amount_paid: 5000, payments: [{}, {}] });

    const open = (await api('POST', '/checkout-sessions', { currency: 'USD', amount: 12.34 })).body;
    await expectStoredIsRendered(open.id);
    expect((await api('POST', `/checkout-sessions/${open.id}/deactivate`)).status).toBe(200);
    expect(JSON.parse(await expectStoredIsRendered(open.id)).status).toBe('deactivated');
  });

  test('a session whose amount the customer chooses, one with transfers paid, overpaid and refunded, a refund canceled', async () => {
    const options = (await api('POST', '/checkout-sessions', { currency: 'SATS', type: 'options', options: [1000, 5000] })).body;
    expect(options.amount).toBeNull();
    await expectStoredIsRendered(options.id);

    const split = (await api('POST', '/checkout-sessions', { currency: 'SATS', amount: 10_000, transfers: [{ destination_account: partner.id, percentage: 10 }] })).body;
    await receive(split.payment_id, 12_000);
    await until(split.id, (s) => s.status === 'paid');
    await waitFor(() => api('GET', `/transfers?checkout_session=${split.id}`), (r) => r.body.data.some((t: any) => t.status === 'paid'), 30_000);
    expect(JSON.parse(await expectStoredIsRendered(split.id))).toMatchObject({ exception_status: 'overpaid', transfers: [{ destination_account: partner.id }] });

    const refund = (await api('POST', '/refunds', { checkout_session: split.id, type: 'partial', amount: 1000 })).body;
    expect(refund.status).toBe('pending');
    expect(JSON.parse(await expectStoredIsRendered(split.id))).toMatchObject({ target_amount_refunded: 1000 });
    expect((await api('POST', `/refunds/${refund.id}/cancel`)).body.status).toBe('canceled');
    await until(split.id, (s) => s.target_amount_refunded === 0);
    await expectStoredIsRendered(split.id);
  });

  test('customer details submitted on the payment page (a write outside the workflow)', async () => {
    const cs = (await api('POST', '/checkout-sessions', {
      currency: 'SATS', amount: 700, customer_collections_status: { is_email_enabled: true, is_phone_enabled: false, is_billing_address_enabled: false, is_shipping_address_enabled: false },
    })).body;
    const posted = await fetch(`${sys.baseUrl}/pay/${cs.id}`, { method: 'POST', body: new URLSearchParams({ email: 'ada@example.com' }), redirect: 'manual' });
    expect(posted.status).toBe(303);
    const text = await expectStoredIsRendered(cs.id);
    expect(JSON.parse(text)).not.toHaveProperty('customer_details');
  });
});

describe('the database never keeps a stale stored object', () => {
  const paidSession = async () => {
    const cs = (await api('POST', '/checkout-sessions', { currency: 'SATS', amount: 800 })).body;
    await receive(cs.payment_id, 800);
    await until(cs.id, (s) => s.status === 'paid');
    await expectStoredIsRendered(cs.id);
    return cs;
  };
  const storedOf = async (id: string): Promise<string | null> => (await sys.db(T.sessions).where({ id }).first('view_json')).view_json;

  test('a write to the row that does not render clears it, and a GET then renders the same bytes from the row', async () => {
    const cs = await paidSession();
    const storedGet = await rawGet(cs.id);
    // A write that changes nothing the object shows still clears it (the database cannot tell).
    await sys.db(T.sessions).where({ id: cs.id }).update({ customer_details: { note: 'x' } });
    expect(await storedOf(cs.id)).toBeNull();
    expect(await rawGet(cs.id)).toEqual(storedGet);
    // One that does: the GET shows the new value at once.
    await sys.db(T.sessions).where({ id: cs.id }).update({ exception_status: 'underpaid' });
    expect(JSON.parse((await rawGet(cs.id)).text).exception_status).toBe('underpaid');
    await expectStoredIsRendered(cs.id, 'either');
  });

  test('a write of a funded payment clears it; an unfunded one does not; a row copied by SQL starts without one', async () => {
    const cs = await paidSession();
    await sys.db(T.payments).where({ id: cs.payment_id }).update({ amount_paid: '799' });
    expect(await storedOf(cs.id)).toBeNull();
    expect(JSON.parse((await rawGet(cs.id)).text).payments[0].amount_paid).toBe(799);

    const unpaid = (await api('POST', '/checkout-sessions', { currency: 'SATS', amount: 900 })).body;
    await expectStoredIsRendered(unpaid.id);
    await sys.db(T.payments).where({ id: unpaid.payment_id }).update({ modified: 1 });
    expect(await storedOf(unpaid.id)).not.toBeNull();

    const copy = `cs_copy${randomBytes(10).toString('hex')}`;
    const columns = (await sys.db('information_schema.columns').select('column_name').where({ table_name: T.sessions }))
      .map((c: { column_name: string }) => c.column_name).filter((c: string) => c !== 'id');
    await sys.db.raw(`insert into ${T.sessions} (id, ${columns.join(', ')}) select ?, ${columns.join(', ')} from ${T.sessions} where id = ?`, [copy, unpaid.id]);
    expect(await storedOf(copy)).toBeNull();
    expect(JSON.parse((await rawGet(copy)).text).id).toBe(copy);
  });

  test('a funded payment written while another transaction renders the row: the text either includes it or is cleared', async () => {
    const cs = await paidSession();
    // The renderer first: it holds the row, so the payment's write waits for its commit, then clears the text.
    const renderer = await sys.db.transaction();
    const pending = renderer(T.sessions).where({ id: cs.id }).update({ modified: Date.now() });
    await pending;
    const writer = sys.db(T.payments).where({ id: cs.payment_id }).update({ amount_paid: '798' }).then(() => 'written');
    const found = (await readSessionWithFunded(renderer as never, cs.id, scope()))!;
    await renderer(T.sessions).where({ id: cs.id }).update({ view_json: storedSessionView(found.row, found.funded) });
    await renderer.commit();
    expect(await writer).toBe('written');
    expect(await storedOf(cs.id)).toBeNull();
    await expectStoredIsRendered(cs.id, 'either');

    // The payment first: it holds the row until it commits, so the render reads it.
    const payer = await sys.db.transaction();
    await payer(T.payments).where({ id: cs.payment_id }).update({ amount_paid: '797' });
    const rendering = sys.db.transaction(async (tx: Knex.Transaction) => {
      await tx(T.sessions).where({ id: cs.id }).update({ modified: Date.now() });
      const row = (await readSessionWithFunded(tx as never, cs.id, scope()))!;
      await tx(T.sessions).where({ id: cs.id }).update({ view_json: storedSessionView(row.row, row.funded) });
    });
    await payer.commit();
    await rendering;
    expect(await storedOf(cs.id)).not.toBeNull();
    expect(JSON.parse(await expectStoredIsRendered(cs.id)).payments[0].amount_paid).toBe(797);
  });

  test('a text that is not this session\'s object is never sent', async () => {
    const a = (await api('POST', '/checkout-sessions', { currency: 'SATS', amount: 300 })).body;
    const b = (await api('POST', '/checkout-sessions', { currency: 'SATS', amount: 400 })).body;
    const textOfA = await storedOf(a.id);
    await sys.db(T.sessions).where({ id: b.id }).update({ view_json: textOfA });
    expect(await storedOf(b.id)).toBe(textOfA);
    expect(JSON.parse((await rawGet(b.id)).text)).toMatchObject({ id: b.id, amount: 400 });
  });
});

describe('GET /checkout-sessions (the list) sends the stored objects', () => {
  const lister = useMerchant(sys, { name: 'Lister' });
  const listerApi = (method: string, route: string, body?: unknown) => call(sys.baseUrl, lister.key, method, route, body);
  const rawAs = async (route: string): Promise<{ status: number; type: string | null; text: string }> => {
    const res = await fetch(`${sys.baseUrl}${route}`, { headers: { authorization: `Basic ${Buffer.from(`${lister.key}:`).toString('base64')}` } });
    return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
  };

  test('each object is the bytes its GET sends, stored or not; a page of stored objects is one statement', async () => {
    const paid = (await listerApi('POST', '/checkout-sessions', { currency: 'SATS', amount: 600 })).body;
    await listerApi('POST', `/test-helpers/payments/${paid.payment_id}/receive`, { amount: 600 });
    await waitFor(() => listerApi('GET', `/checkout-sessions/${paid.id}`).then((r) => r.body), (s) => s.status === 'paid', 30_000);
    const unpaid = (await listerApi('POST', '/checkout-sessions', { currency: 'SATS', amount: 700, metadata: { note: 'é"\\</' } })).body;
    const cleared = (await listerApi('POST', '/checkout-sessions', { currency: 'SATS', amount: 800 })).body;
    const foreign = (await listerApi('POST', '/checkout-sessions', { currency: 'SATS', amount: 900 })).body;
    // The workflow's writes are done once every session shows its final state in the read model.
    await waitFor(() => sys.db(T.sessions).whereIn('id', [paid.id, unpaid.id, cleared.id, foreign.id]).whereNotNull('view_json'),
      (rows: unknown[]) => rows.length === 4, 30_000);
    const newestFirst = [foreign.id, cleared.id, unpaid.id, paid.id];

    // Stored: the page is one statement (the objects are not rendered, the payments not read).
    const statements: string[] = [];
    const count = (q: { sql: string }) => statements.push(q.sql);
    sys.db.on('query', count);
    let stored: { status: number; type: string | null; text: string };
    try {
      stored = await rawAs('/checkout-sessions?limit=10');
    } finally {
      sys.db.removeListener('query', count);
    }
    expect(statements.filter((sql) => sql.includes(T.sessions) || sql.includes(T.payments))).toHaveLength(1);
    expect(JSON.parse(stored!.text).data.map((s: { id: string }) => s.id)).toEqual(newestFirst);
    // Compared only with GETs read while the list did not change (a late workflow write: read again).
    let gets: { text: string }[] = [];
    for (let attempt = 0; attempt < 20; attempt++) {
      gets = await Promise.all(newestFirst.map((id) => rawAs(`/checkout-sessions/${id}`)));
      const again = await rawAs('/checkout-sessions?limit=10');
      if (again.text === stored!.text) break;
      stored = again;
    }
    expect(stored!).toEqual({ status: 200, type: 'application/json; charset=utf-8', text: `{"object":"list","has_more":false,"data":[${gets.map((g) => g.text).join(',')}]}` });

    // Not stored (cleared), or a text that is not the session's own: rendered from the row, the same bytes.
    await sys.db(T.sessions).where({ id: cleared.id }).update({ view_json: null });
    await sys.db(T.sessions).where({ id: foreign.id }).update({ view_json: (await sys.db(T.sessions).where({ id: unpaid.id }).first('view_json')).view_json });
    expect(await rawAs('/checkout-sessions?limit=10')).toEqual(stored!);

    // The pages, the cursors and the status filter are as before.
    const page = (route: string) => rawAs(route).then((r) => JSON.parse(r.text));
    expect(await page('/checkout-sessions?limit=2')).toMatchObject({ has_more: true, data: [{ id: foreign.id }, { id: cleared.id }] });
    expect((await page(`/checkout-sessions?limit=2&starting_after=${cleared.id}`)).data.map((s: { id: string }) => s.id)).toEqual([unpaid.id, paid.id]);
    expect((await page(`/checkout-sessions?ending_before=${unpaid.id}`)).data.map((s: { id: string }) => s.id)).toEqual([foreign.id, cleared.id]);
    expect(await page('/checkout-sessions?status=paid')).toEqual({ object: 'list', has_more: false, data: [JSON.parse(gets[3].text)] });
  });
});
