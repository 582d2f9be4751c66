import { paymentUri } from '../../../src/page/bip21';
import { formatAmount, groupDigits, satsToBtc } from '../../../src/page/format';
import { escapeHtml, html, trusted } from '../../../src/page/html';
import { remaining } from '../../../src/page/views/payment';

describe('satsToBtc turns whole sats into the BTC amount of BIP21 by string arithmetic', () => {
  test.each([
    ['0', '0'], ['1', '0.00000001'], ['546', '0.00000546'], ['21000', '0.00021'], ['100000000', '1'],
    ['123456789', '1.23456789'], ['2100000000000000', '21000000'], ['100000010', '1.0000001'],
  ])('%s sats is %s BTC', (sats, btc) => {
    expect(satsToBtc(sats)).toBe(btc);
  });

  test('refuses anything but a whole number of sats', () => {
    for (const bad of ['1.5', '-1', '', '1e3']) expect(() => satsToBtc(bad)).toThrow(RangeError);
  });
});

describe('paymentUri', () => {
  test('is a unified BIP21 URI when the payment has an address and an invoice', () => {
    expect(paymentUri({ address: 'bcrt1qabc', invoice: 'lnbcrt1u1pxyz', sats: '150000' }))
      .toBe('bitcoin:bcrt1qabc?amount=0.0015&lightning=lnbcrt1u1pxyz');
  });
  test('is a plain BIP21 URI on-chain only, and a lightning: URI Lightning only', () => {
    expect(paymentUri({ address: 'bcrt1qabc', invoice: null, sats: '1' })).toBe('bitcoin:bcrt1qabc?amount=0.00000001');
    expect(paymentUri({ address: null, invoice: 'lnbcrt1u1pxyz', sats: '100' })).toBe('lightning:lnbcrt1u1pxyz');
  });
});

describe('display formatting', () => {
  test.each([
    ['25', 'USD', '25.00 USD'], ['1234.5', 'EUR', '1,234.50 EUR'], ['21000', 'SATS', '21,000 SATS'],
    ['0.00021', 'BTC', '0.00021 BTC'], ['1500', 'JPY', '1,500 JPY'],
  ])('%s %s reads %s', (value, currency, shown) => {
    expect(formatAmount(value, currency)).toBe(shown);
  });
  test('groups digits in threes', () => {
    expect(['1', '999', '1000', '1234567'].map(groupDigits)).toEqual(['1', '999', '1,000', '1,234,567']);
  });
  test.each([[0, 'now'], [59_000, '0:59'], [61_000, '1:01'], [3_723_000, '1:02:03'], [2 * 86_400_000, '2 days']])(
    '%i ms left reads %s', (ms, text) => { expect(remaining(ms)).toBe(text); },
  );
});

describe('html escapes every interpolated value', () => {
  test('merchant text cannot become markup, in content or attributes', () => {
    const title = '<img src=x onerror="alert(1)">';
    expect(html`<h1 title="${title}">${title}</h1>`.value)
      .toBe('<h1 title="&lt;img src=x onerror=&quot;alert(1)&quot;&gt;">&lt;img src=x onerror=&quot;alert(1)&quot;&gt;</h1>');
    expect(escapeHtml(`Tom's & "Jerry's"`)).toBe('Tom&#39;s &amp; &quot;Jerry&#39;s&quot;');
  });
  test('nested fragments and trusted markup pass through; arrays join; null, undefined and booleans vanish', () => {
    const items = ['a<b', 'c'].map((x) => html`<li>${x}</li>`);
    expect(html`<ul>${items}</ul>${null}${undefined}${false}${trusted('<svg></svg>')}`.value)
      .toBe('<ul><li>a&lt;b</li><li>c</li></ul><svg></svg>');
  });
});
