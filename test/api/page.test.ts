import { ADMIN_KEY, call, createMerchant, waitFor } from '../support/testSystem';
import { useTestSystem } from '../support/useTestSystem';

const sys = useTestSystem();

// BIP84 test vector account (mnemonic "abandon … about"): a valid mainnet key for a live-mode account.
const LIVE_ZPUB = 'zpub6rFR7y4Q2AijBEqTUquhVz398htDFrtymD9xYYfG1m4wAcvPhXNfE3EfH1r1ADqtfSdVCToUG868RvUUkgDKf31mGDtKsAYz2oz2AGutZYs';

const EVERYTHING = {
  currency: 'SATS', amount: 10_000, title: 'Concert ticket',
  customer_collections_status: { is_email_enabled: true, is_phone_enabled: true, is_billing_address_enabled: true, is_shipping_address_enabled: true },
  custom_fields: [
    { type: 'dropdown', label: 'Seat', options: ['Front', 'Back'] },
    { type: 'number', label: 'Tickets' },
    { type: 'text', label: 'Message to the band', is_optional: true },
  ],
};

async function page(path: string): Promise<{ status: number; html: string; headers: Headers }> {
  const res = await fetch(`${sys.baseUrl}${path}`, { redirect: 'manual' });
  return { status: res.status, html: await res.text(), headers: res.headers };
}

async function postForm(path: string, fields: Record<string, string>): Promise<{ status: number; html: string; location: string | null }> {
  const res = await fetch(`${sys.baseUrl}${path}`, { method: 'POST', body: new URLSearchParams(fields), redirect: 'manual' });
  return { status: res.status, html: await res.text(), location: res.headers.get('location') };
}

/** The message the page shows next to one field. */
function errorFor(html: string, name: string): string | undefined {
  return html.match(new RegExp(`data-error-for="${name}">([^<]*)<`))?.[1];
}

const address = (prefix: string) => ({
  [`${prefix}_name`]: 'Ada Lovelace', [`${prefix}_line1`]: '12 Analytical Row', [`${prefix}_city`]: 'London', [`${prefix}_country`]: 'United Kingdom',
});

describe('the customer details form', () => {
  test('refuses missing and malformed details field by field, then shows the QR and stores what the API returns', async () => {
    const m = await createMerchant(sys.baseUrl);
    const cs = (await call(sys.baseUrl, m.key, 'POST', '/checkout-sessions', EVERYTHING)).body;
    const [seat, tickets, note] = cs.custom_fields.map((f: { id: string }) => `cf_${f.id}`);

    const before = await page(`/pay/${cs.id}`);
    expect(before.status).toBe(200);
    expect(before.html).toContain('data-testid="details-form"');
    expect(before.html).not.toContain('data-testid="qr"');

    const empty = await postForm(`/pay/${cs.id}`, {});
    expect(empty.status).toBe(400);
    expect(errorFor(empty.html, 'email')).toBe('Email is required.');
    expect(errorFor(empty.html, 'phone')).toBe('Phone is required.');
    expect(errorFor(empty.html, 'billing_line1')).toBe('Address line 1 is required.');
    expect(errorFor(empty.html, 'shipping_country')).toBe('Country is required.');
    expect(errorFor(empty.html, seat)).toBe('Seat is required.');
    expect(errorFor(empty.html, 'billing_line2')).toBeUndefined();
    expect(errorFor(empty.html, note)).toBeUndefined();
    expect(empty.html).not.toContain('data-testid="qr"');

    const bad = await postForm(`/pay/${cs.id}`, {
      email: 'ada@', phone: 'call me', ...address('billing'), ...address('shipping'), [seat]: 'Balcony', [tickets]: 'two',
    });
    expect(bad.status).toBe(400);
    expect(errorFor(bad.html, 'email')).toMatch(/valid email address/);
    expect(errorFor(bad.html, 'phone')).toMatch(/valid phone number/);
    expect(errorFor(bad.html, seat)).toBe('Choose one of the options for Seat.');
    expect(errorFor(bad.html, tickets)).toBe('Tickets must be a number.');
    expect(errorFor(bad.html, 'billing_name')).toBeUndefined();
    expect(bad.html).toContain('value="Ada Lovelace"'); // what was typed is kept

    const unknown = await postForm(`/pay/${cs.id}`, { sneaky: '1' });
    expect(unknown.status).toBe(400);
    expect(unknown.html).toContain('Unexpected field: sneaky.');

    const good = await postForm(`/pay/${cs.id}`, {
      email: ' ada@example.com ', phone: '+44 20 7946 0958', ...address('billing'), ...address('shipping'), billing_postal_code: 'N1 9GU',
      [seat]: 'Front', [tickets]: '2', [note]: '',
    });
    expect(good).toMatchObject({ status: 303, location: `/pay/${cs.id}` });
    const after = await page(`/pay/${cs.id}`);
    expect(after.html).toContain('data-testid="qr"');
    expect(after.html).not.toContain('data-testid="details-form"');

    const byPayment = await call(sys.baseUrl, m.key, 'GET', `/checkout-sessions/payment/${cs.payment_id}`);
    const addressOf = (postal: string | null) => ({
      name: 'Ada Lovelace', line1: '12 Analytical Row', line2: null, city: 'London', state: null, postal_code: postal, country: 'United Kingdom',
    });
    expect(byPayment.body.customer_details).toEqual({
      email: 'ada@example.com', phone: '+44 20 7946 0958', billing_address: addressOf('N1 9GU'), shipping_address: addressOf(null),
      custom_fields: [
        { id: cs.custom_fields[0].id, label: 'Seat', type: 'dropdown', value: 'Front' },
        { id: cs.custom_fields[1].id, label: 'Tickets', type: 'number', value: '2' },
        { id: cs.custom_fields[2].id, label: 'Message to the band', type: 'text', value: null },
      ],
    });

    // The first answer stands: a second post changes nothing.
    expect((await postForm(`/pay/${cs.id}`, { email: 'mallory@example.com' })).status).toBe(303);
    expect((await call(sys.baseUrl, m.key, 'GET', `/checkout-sessions/payment/${cs.payment_id}`)).body.customer_details.email).toBe('ada@example.com');
    expect((await call(sys.baseUrl, m.key, 'GET', `/checkout-sessions/${cs.id}`)).body).not.toHaveProperty('customer_details');
  });

  test('a preset amount is checked on the server, then the workflow makes the payment for it', async () => {
    const m = await createMerchant(sys.baseUrl);
    const cs = (await call(sys.baseUrl, m.key, 'POST', '/checkout-sessions', { currency: 'USD', type: 'preset', preset: { min_amount: 5, max_amount: 50 } })).body;
    expect(cs.payment_id).toBeNull();
    const form = await page(`/pay/${cs.id}`);
    expect(form.html).toContain('Between 5.00 USD and 50.00 USD');
    expect(errorFor((await postForm(`/pay/${cs.id}`, { amount: '2' })).html, 'amount')).toBe('Enter an amount between 5.00 USD and 50.00 USD.');
    expect(errorFor((await postForm(`/pay/${cs.id}`, { amount: '5.555' })).html, 'amount')).toBe('Use at most 2 decimals.');
    expect(errorFor((await postForm(`/pay/${cs.id}`, { amount: 'lots' })).html, 'amount')).toMatch(/as a number/);
    expect((await postForm(`/pay/${cs.id}`, { amount: '12.50' })).status).toBe(303);
    const chosen = await call(sys.baseUrl, m.key, 'GET', `/checkout-sessions/${cs.id}`);
    expect(chosen.body.amount).toBe(12.5);
    expect(chosen.body.payment_id).toMatch(/^pi_/);
    const payment = await call(sys.baseUrl, m.key, 'GET', `/payments/${chosen.body.payment_id}`);
    expect(payment.body).toMatchObject({ amount: 12.5, currency: 'USD', status: 'unpaid' });
    const shown = await page(`/pay/${cs.id}`);
    expect(shown.html).toContain('12.50 USD');
    expect(shown.html).toContain('data-testid="qr"');
  });

  test('an options amount must be one of those offered', async () => {
    const m = await createMerchant(sys.baseUrl);
    const cs = (await call(sys.baseUrl, m.key, 'POST', '/checkout-sessions', { currency: 'SATS', type: 'options', options: [1000, 2500] })).body;
    const refused = await postForm(`/pay/${cs.id}`, { amount: '999' });
    expect(refused.status).toBe(400);
    expect(errorFor(refused.html, 'amount')).toBe('Choose one of the amounts offered.');
    expect(errorFor((await postForm(`/pay/${cs.id}`, {})).html, 'amount')).toBe('Choose an amount.');
    expect((await postForm(`/pay/${cs.id}`, { amount: '2500' })).status).toBe(303);
    const chosen = await call(sys.baseUrl, m.key, 'GET', `/checkout-sessions/${cs.id}`);
    const payment = await call(sys.baseUrl, m.key, 'GET', `/payments/${chosen.body.payment_id}`);
    expect(payment.body.target_amount).toBe(2500);
  });
});

describe('the payment page', () => {
  test('shows a unified BIP21 QR with the BTC amount from integer sats, and escapes merchant text', async () => {
    const m = await createMerchant(sys.baseUrl, { name: 'Ben & Jerry <Shop>' });
    const cs = (await call(sys.baseUrl, m.key, 'POST', '/checkout-sessions', {
      currency: 'SATS', amount: 12_345, title: '<script>alert("x")</script>', title_description: 'Fish & "chips"',
      cancel_url: 'https://shop.test/cart?a=1&b=2',
    })).body;
    const payment = (await call(sys.baseUrl, m.key, 'GET', `/payments/${cs.payment_id}`)).body;
    const { status, html, headers } = await page(`/pay/${cs.id}`);
    expect(status).toBe(200);
    const uri = `bitcoin:${payment.payment_method_options.onchain.address}?amount=0.00012345&amp;lightning=${payment.payment_method_options.lightning.payment_request}`;
    expect(html).toContain(`href="${uri}"`);
    expect(html).toContain('<svg role="img" aria-label="Payment QR code"');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(html).not.toContain('<script>alert');
    expect(html).toContain('Fish &amp; &quot;chips&quot;');
    expect(html).toContain('Ben &amp; Jerry &lt;Shop&gt;');
    expect(html).toContain('href="https://shop.test/cart?a=1&amp;b=2"');
    expect(html).toContain('12,345 sats');
    expect(html).toContain('Simulate payment');
    expect(headers.get('content-security-policy')).toContain("script-src 'self'");
    const script = await fetch(`${sys.baseUrl}/pay-assets/page.js`);
    expect(script.headers.get('content-type')).toMatch(/javascript/);
  });

  test('a Lightning-only payment is a lightning: URI', async () => {
    const m = await createMerchant(sys.baseUrl);
    const cs = (await call(sys.baseUrl, m.key, 'POST', '/checkout-sessions', { currency: 'SATS', amount: 500, payment_methods: ['lightning'] })).body;
    const payment = (await call(sys.baseUrl, m.key, 'GET', `/payments/${cs.payment_id}`)).body;
    expect((await page(`/pay/${cs.id}`)).html).toContain(`href="lightning:${payment.payment_method_options.lightning.payment_request}"`);
  });

  test('the status endpoint tells the page only what it needs', async () => {
    const m = await createMerchant(sys.baseUrl);
    const cs = (await call(sys.baseUrl, m.key, 'POST', '/checkout-sessions', { currency: 'SATS', amount: 700, success_url: 'https://shop.test/thanks' })).body;
    const status = await call(sys.baseUrl, null, 'GET', `/pay/${cs.id}/status`);
    expect(Object.keys(status.body).sort()).toEqual(['key', 'now', 'payment', 'status', 'success_url', 'target_amount_due', 'target_amount_paid']);
    expect(status.body).toMatchObject({ status: 'active', success_url: null, target_amount_paid: 0, target_amount_due: 700 });
    expect(Object.keys(status.body.payment).sort()).toEqual(['expires_at', 'id', 'status']);
    expect((await call(sys.baseUrl, null, 'GET', '/pay/cs_nope/status')).status).toBe(404);
  });

  test('the simulator pays a test session from the page, and the paid page shows the success message', async () => {
    const m = await createMerchant(sys.baseUrl);
    const cs = (await call(sys.baseUrl, m.key, 'POST', '/checkout-sessions', { currency: 'SATS', amount: 800, success_message: 'Enjoy the show!' })).body;
    const sim = await call(sys.baseUrl, null, 'POST', `/pay/${cs.id}/simulate`, { amount: 800, method: 'lightning' });
    expect(sim.status).toBe(200);
    expect(sim.body).toMatchObject({ payment: cs.payment_id, amount: 800, method: 'lightning' });
    const paid = await waitFor(() => call(sys.baseUrl, null, 'GET', `/pay/${cs.id}/status`), (r) => r.body.status === 'paid');
    expect(paid.body.target_amount_due).toBe(0);
    const shown = await page(`/pay/${cs.id}`);
    expect(shown.html).toContain('Payment received');
    expect(shown.html).toContain('Enjoy the show!');
    const again = await call(sys.baseUrl, null, 'POST', `/pay/${cs.id}/simulate`, {});
    expect(again.status).toBe(400);
    const badAmount = await call(sys.baseUrl, null, 'POST', `/pay/${cs.id}/simulate`, { amount: -5 });
    expect(badAmount.body.errors[0].param).toBe('amount');
  });

  test('the simulator refuses live sessions, and a live page shows neither it nor the test banner', async () => {
    const m = await createMerchant(sys.baseUrl, { xpub: LIVE_ZPUB, onchain_settlement: 'merchant_wallet' });
    const liveKey = (await call(sys.baseUrl, ADMIN_KEY, 'POST', `/accounts/${m.id}/keys`, { livemode: true })).body.secret_key;
    const cs = await call(sys.baseUrl, liveKey, 'POST', '/checkout-sessions', { currency: 'SATS', amount: 900, payment_methods: ['onchain'] });
    expect(cs.status).toBe(200);
    expect(cs.body.livemode).toBe(true);
    const refused = await call(sys.baseUrl, null, 'POST', `/pay/${cs.body.id}/simulate`, {});
    expect(refused.status).toBe(403);
    expect(refused.body.errors[0].message).toMatch(/test-mode/);
    const { html } = await page(`/pay/${cs.body.id}`);
    expect(html).toContain('data-testid="qr"');
    expect(html).not.toContain('Simulate payment');
    expect(html).not.toContain('Test mode');
  });

  test('unknown sessions are a 404 page and deactivated ones a 410 page', async () => {
    const unknown = await page('/pay/cs_doesnotexist');
    expect(unknown.status).toBe(404);
    expect(unknown.html).toContain('Checkout not found');
    const m = await createMerchant(sys.baseUrl);
    const cs = (await call(sys.baseUrl, m.key, 'POST', '/checkout-sessions', { currency: 'SATS', amount: 100 })).body;
    await call(sys.baseUrl, m.key, 'POST', `/checkout-sessions/${cs.id}/deactivate`);
    const gone = await page(`/pay/${cs.id}`);
    expect(gone.status).toBe(410);
    expect(gone.html).toContain('This checkout is no longer available');
    expect(gone.html).not.toContain('data-testid="qr"');
  });
});
