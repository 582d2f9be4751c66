import type { PaymentRow } from '../../../src/db/payments';
import type { SessionRow } from '../../../src/db/sessions';
import { checkoutSessionView } from '../../../src/views/checkoutSession';
import { servedSessionView, storedSessionView } from '../../../src/views/storedSessionView';

/**
 * The stored text is rendered without the public URL; a GET splices it in. The result must be byte for
 * byte what `res.json` of the object rendered with that URL sends, whatever the merchant's fields hold,
 * and a text that is not this session's object must never be served.
 */
const ID = 'cs_AbCdEfGhIjKlMnOpQrStUvWx';

const row = (over: Partial<SessionRow> = {}): SessionRow => ({
  id: ID, account_id: 'acct_1', livemode: false, status: 'active', currency: 'USD', amount: '12.34',
  definition: {
    ttl: 600, payment_methods: ['lightning', 'onchain'], type: 'fixed', amount_paid_tolerance: '0',
    // Merchant text that looks like the fields the splice looks for.
    description: ',"default_url":"/pay/cs_x","url":"/pay/cs_x",', metadata: { url: `"url":"/pay/${ID}"`, note: 'é\u2028"\\' },
    customer_collections_status: { is_email_enabled: false }, transfers: [],
  },
  amount_paid: '4.000000001', target_amount_paid: '4000', target_amount_due: '8340', exception_status: null, payment_id: 'pi_2',
  customer_details: null, link_id: null, payment_expires_at: '1700000600000', amount_refunded: '0', target_amount_refunded: '0',
  version: 3, created: '1700000000000', modified: '1700000300000', ...over,
});

const funded: PaymentRow[] = [{
  id: 'pi_1', checkout_session_id: ID, account_id: 'acct_1', livemode: false, seq: 1, currency: 'USD', amount: '12.34',
  exchange_rate: '1000.123456789', target_amount: '12342', status: 'expired', payment_request: null, payment_hash: null,
  onchain_address: null, address_index: null, received_sats: '4000', amount_paid: '3.99950617', expires_at: '1700000600000',
  created: '1700000000000', modified: '1700000300000',
}];

test.each([
  ['a plain URL', 'https://pay.example.com'],
  ['a URL with a path and characters JSON escapes', 'https://example.com/checkout/"quoted"\\back'],
  ['no URL', ''],
])('served with %s, it is the object rendered with that URL, byte for byte', (_name, publicUrl) => {
  for (const r of [row(), row({ livemode: true, status: 'paid' }), row({ amount: null, target_amount_paid: '0', payment_id: null })]) {
    const stored = storedSessionView(r, r.target_amount_paid === '0' ? [] : funded);
    expect(servedSessionView(stored, r.id, publicUrl))
      .toBe(JSON.stringify(checkoutSessionView(r, r.target_amount_paid === '0' ? [] : funded, publicUrl)));
  }
});

test('a text that is not this session\'s stored object is not served', () => {
  const stored = storedSessionView(row(), funded);
  expect(servedSessionView(stored, 'cs_ZZZZZZZZZZZZZZZZZZZZZZZZ', 'https://x')).toBeUndefined();
  expect(servedSessionView(JSON.stringify(checkoutSessionView(row(), funded, 'https://old')), ID, 'https://x')).toBeUndefined();
  expect(servedSessionView('', ID, 'https://x')).toBeUndefined();
  expect(servedSessionView(stored.replace('"default_url"', '"default_uri"'), ID, 'https://x')).toBeUndefined();
});
