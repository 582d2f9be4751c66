import * as transferConnections from '../../src/db/migrations/125_transfer_connections';
import { T } from '../../src/db/tables';
import { ADMIN_KEY, call, createMerchant, waitFor } from '../support/testSystem';
import { connectTransfers } from '../support/transferDestinations';
import { useTestSystem } from '../support/useTestSystem';

/**
 * Transfer consent (docs/transfers.md): a session or link may send transfers only to an account the
 * platform admin connected to its own; anything else is refused at the edge, before any workflow starts,
 * with one message for an unknown account and an unconnected one.
 */
const sys = useTestSystem();

const admin = (method: string, route: string, body?: unknown, headers?: Record<string, string>) => call(sys.baseUrl, ADMIN_KEY, method, route, body, headers);
const destinations = (source: string) => `/accounts/${source}/transfer-destinations`;
const withTransfer = (destination: string, extra: Record<string, unknown> = {}) => ({
  currency: 'SATS', amount: 10_000, transfers: [{ destination_account: 'acct_placeholder', percentage: 5 }, { destination_account: destination, percentage: 10 }], ...extra,
});

/** What a refused create could have written for `accountId`: sessions, links and events. */
async function written(accountId: string) {
  const count = async (table: string) => Number((await sys.db(table).where({ account_id: accountId }).count({ n: '*' }))[0].n);
  return { sessions: await count(T.sessions), links: await count('links'), events: await count(T.events) };
}

describe('connecting, listing and revoking transfer destinations (admin API)', () => {
  test('connect returns the connection; connecting again returns the same one; an Idempotency-Key replays', async () => {
    const [shop, partner] = [await createMerchant(sys.baseUrl), await createMerchant(sys.baseUrl)];
    const first = await admin('POST', destinations(shop.id), { destination_account: partner.id }, { 'Idempotency-Key': `connect-${shop.id}` });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      object: 'transfer_destination', account: shop.id, destination_account: partner.id, created_by: 'admin', revoked: false, revoked_at: null,
    });
    expect(first.body.id).toMatch(/^tcon_/);
    const replay = await admin('POST', destinations(shop.id), { destination_account: partner.id }, { 'Idempotency-Key': `connect-${shop.id}` });
    expect([replay.headers.get('idempotent-replayed'), replay.body]).toEqual(['true', first.body]);
    const again = await admin('POST', destinations(shop.id), { destination_account: partner.id });
    expect(again.body).toEqual(first.body);
    expect(await sys.db(T.transferConnections).where({ source_account_id: shop.id })).toHaveLength(1);
  });

  test('a destination that is unknown, not a merchant or the account itself is a 400 naming destination_account; an unknown source is a 404', async () => {
    const shop = await createMerchant(sys.baseUrl);
    for (const destination of ['acct_doesnotexist', 'acct_platform', shop.id]) {
      const res = await admin('POST', destinations(shop.id), { destination_account: destination });
      expect([destination, res.status, res.body.errors[0].param]).toEqual([destination, 400, 'destination_account']);
    }
    const missing = await admin('POST', destinations('acct_000000000000000000000000'), { destination_account: shop.id });
    expect(missing.status).toBe(404);
    expect(await sys.db(T.transferConnections).where({ source_account_id: shop.id })).toEqual([]);
  });

  test('the list pages through the active connections, newest first; a revoked one leaves it; revoking again changes nothing', async () => {
    const shop = await createMerchant(sys.baseUrl);
    const partners = [await createMerchant(sys.baseUrl), await createMerchant(sys.baseUrl), await createMerchant(sys.baseUrl)];
    await connectTransfers(sys.baseUrl, shop.id, ...partners.map((p) => p.id));
    const page1 = await admin('GET', `${destinations(shop.id)}?limit=2`);
    expect([page1.status, page1.body.object, page1.body.has_more, page1.body.data.length]).toEqual([200, 'list', true, 2]);
    const page2 = await admin('GET', `${destinations(shop.id)}?limit=2&starting_after=${page1.body.data[1].id}`);
    expect([page2.body.has_more, page2.body.data.length]).toEqual([false, 1]);
    const listed = [...page1.body.data, ...page2.body.data].map((c: { destination_account: string }) => c.destination_account);
    expect(listed.sort()).toEqual(partners.map((p) => p.id).sort());

    const revoked = await admin('DELETE', `${destinations(shop.id)}/${partners[0].id}`);
    expect(revoked.body).toMatchObject({ destination_account: partners[0].id, revoked: true, revoked_at: expect.any(Number) });
    const after = await admin('GET', destinations(shop.id));
    expect(after.body.data.map((c: { destination_account: string }) => c.destination_account).sort()).toEqual([partners[1].id, partners[2].id].sort());
    expect((await admin('DELETE', `${destinations(shop.id)}/${partners[0].id}`)).body).toEqual(revoked.body);
    expect((await admin('DELETE', `${destinations(shop.id)}/${shop.id}`)).status).toBe(404);
    expect((await admin('GET', `${destinations(shop.id)}?starting_after=tcon_000000000000000000000000`)).status).toBe(404);
  });

  test('only the admin key: a merchant key (even the source account\'s own) is refused on every operation', async () => {
    const [shop, partner] = [await createMerchant(sys.baseUrl), await createMerchant(sys.baseUrl)];
    await connectTransfers(sys.baseUrl, shop.id, partner.id);
    for (const [method, route, body] of [
      ['POST', destinations(shop.id), { destination_account: partner.id }], ['GET', destinations(shop.id), undefined],
      ['DELETE', `${destinations(shop.id)}/${partner.id}`, undefined],
    ] as const) {
      const res = await call(sys.baseUrl, shop.key, method, route, body);
      expect([method, [401, 403].includes(res.status)]).toEqual([method, true]);
    }
    expect(await sys.db(T.transferConnections).where({ source_account_id: shop.id }).whereNull('revoked_at')).toHaveLength(1);
  });
});

describe('sessions and links send transfers only to connected accounts', () => {
  let shop: { id: string; key: string };
  let connected: { id: string; key: string };
  let stranger: { id: string; key: string };
  beforeAll(async () => {
    [shop, connected, stranger] = [await createMerchant(sys.baseUrl), await createMerchant(sys.baseUrl), await createMerchant(sys.baseUrl)];
    await connectTransfers(sys.baseUrl, shop.id, connected.id);
  });
  const create = (route: string, destination: string, from = shop) => {
    const body = withTransfer(destination);
    body.transfers[0].destination_account = connected.id;
    return call(sys.baseUrl, from.key, 'POST', route, body);
  };

  test.each(['/checkout-sessions', '/payment-links', '/checkout-links'])('%s to a connected account is created', async (route) => {
    const res = await create(route, connected.id);
    expect(res.status).toBe(200);
    expect(res.body.transfers.map((t: { destination_account: string }) => t.destination_account)).toEqual([connected.id, connected.id]);
  });

  test.each(['/checkout-sessions', '/payment-links', '/checkout-links'])(
    '%s to an unconnected, unknown or its own account is a 400 naming transfers[1].destination_account, and writes nothing', async (route) => {
      // An account of its own, so no earlier test's session can still be writing events for it.
      const source = await createMerchant(sys.baseUrl);
      await connectTransfers(sys.baseUrl, source.id, connected.id);
      const before = await written(source.id);
      const refusals = [];
      for (const destination of [stranger.id, 'acct_000000000000000000000000', 'acct_platform', source.id]) {
        const res = await create(route, destination, source);
        expect([destination, res.status, res.body.errors[0].type, res.body.errors[0].param])
          .toEqual([destination, 400, 'invalid_request_error', 'transfers[1].destination_account']);
        refusals.push(res.body.errors[0].message.replace(destination, '<id>'));
      }
      // No oracle: an existing account that is not connected reads exactly like one that does not exist.
      expect(refusals[0]).toBe(refusals[1]);
      expect(refusals[0]).toBe(refusals[2]);
      expect(refusals[3]).toMatch(/own account/);
      expect(await written(source.id)).toEqual(before);
    },
  );

  test('the refusal comes before the workflow: a refused create with an Idempotency-Key leaves the key free for the corrected request', async () => {
    const headers = { 'Idempotency-Key': `refused-${shop.id}` };
    const refused = await call(sys.baseUrl, shop.key, 'POST', '/checkout-sessions', withTransfer(stranger.id, { transfers: [{ destination_account: stranger.id, percentage: 10 }] }), headers);
    expect(refused.status).toBe(400);
    const corrected = await call(sys.baseUrl, shop.key, 'POST', '/checkout-sessions', withTransfer(connected.id, { transfers: [{ destination_account: connected.id, percentage: 10 }] }), headers);
    expect(corrected.status).toBe(200);
  });
});

describe('revoking a connection', () => {
  test('refuses new sessions and link visits, while a session created when connected still runs its transfer', async () => {
    const [shop, partner] = [await createMerchant(sys.baseUrl), await createMerchant(sys.baseUrl)];
    await connectTransfers(sys.baseUrl, shop.id, partner.id);
    const api = (method: string, route: string, body?: unknown) => call(sys.baseUrl, shop.key, method, route, body);
    const transfers = [{ destination_account: partner.id, percentage: 10 }];
    const before = (await api('POST', '/checkout-sessions', { currency: 'SATS', amount: 10_000, transfers })).body;
    const plink = (await api('POST', '/payment-links', { currency: 'SATS', amount: 10_000, transfers })).body;
    expect([before.status, plink.status]).toEqual(['active', 'active']);

    expect((await call(sys.baseUrl, ADMIN_KEY, 'DELETE', `/accounts/${shop.id}/transfer-destinations/${partner.id}`)).status).toBe(200);

    const refused = await api('POST', '/checkout-sessions', { currency: 'SATS', amount: 10_000, transfers });
    expect([refused.status, refused.body.errors[0].param]).toEqual([400, 'transfers[0].destination_account']);
    // A visit of the link made while connected opens no session: the link's state refuses it (409), in a customer's words.
    const sessionsBefore = await sys.db(T.sessions).where({ account_id: shop.id }).count({ n: '*' });
    const visit = await fetch(`${sys.baseUrl}/p/${plink.id}`, { method: 'POST', redirect: 'manual' });
    expect([visit.status, (await visit.text()).includes('cannot take payments')]).toEqual([409, true]);
    expect(await sys.db(T.sessions).where({ account_id: shop.id }).count({ n: '*' })).toEqual(sessionsBefore);

    // The session created while connected: paid after the revocation, its transfer still goes out.
    expect((await api('POST', `/test-helpers/payments/${before.payment_id}/receive`, { amount: 10_000 })).status).toBe(200);
    const sent = await waitFor(() => api('GET', `/transfers?checkout_session=${before.id}`), (r) => r.body.data?.[0]?.status === 'paid', 60_000);
    expect(sent.body.data.map((t: { destination_account: string; status: string }) => [t.destination_account, t.status])).toEqual([[partner.id, 'paid']]);

    // Connected again, new sessions are accepted again.
    await connectTransfers(sys.baseUrl, shop.id, partner.id);
    expect((await api('POST', '/checkout-sessions', { currency: 'SATS', amount: 10_000, transfers })).status).toBe(200);
  });
});

describe('the migration that introduced consent', () => {
  test('back-fills a connection for every pair already used by a transfer, a session or a link', async () => {
    const [shop, paid, linked] = [await createMerchant(sys.baseUrl), await createMerchant(sys.baseUrl), await createMerchant(sys.baseUrl)];
    await connectTransfers(sys.baseUrl, shop.id, paid.id, linked.id);
    const api = (method: string, route: string, body?: unknown) => call(sys.baseUrl, shop.key, method, route, body);
    const cs = (await api('POST', '/checkout-sessions', { currency: 'SATS', amount: 10_000, transfers: [{ destination_account: paid.id, percentage: 10 }] })).body;
    await api('POST', `/test-helpers/payments/${cs.payment_id}/receive`, { amount: 10_000 });
    await waitFor(() => sys.db(T.transfers).where({ checkout_session_id: cs.id }), (rows) => rows.length === 1);
    expect((await api('POST', '/payment-links', { currency: 'SATS', amount: 500, transfers: [{ destination_account: linked.id, percentage: 10 }] })).status).toBe(200);

    // Replayed in a transaction that is rolled back: the table as the migration leaves it on this data.
    const trx = await sys.db.transaction();
    try {
      await transferConnections.down(trx);
      await transferConnections.up(trx);
      const rows = await trx(T.transferConnections).select('destination_account_id', 'created_by', 'revoked_at').where({ source_account_id: shop.id });
      expect(rows.sort((a, b) => (a.destination_account_id < b.destination_account_id ? -1 : 1))).toEqual(
        [paid.id, linked.id].sort().map((id) => ({ destination_account_id: id, created_by: 'migration', revoked_at: null })),
      );
      const self = await trx.raw(`select count(*)::int as n from ${T.transferConnections} where source_account_id = destination_account_id`);
      expect(self.rows[0].n).toBe(0);
    } finally {
      await trx.rollback();
    }
  });
});
