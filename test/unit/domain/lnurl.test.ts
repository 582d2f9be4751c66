import { decodeLnurl, encodeLnurl, InvalidLnurlError, lud17WithdrawUrl, withdrawRequest } from '../../../src/domain/lnurl';
import { claimProblem, MIN_INVOICE_REMAINING_MS } from '../../../src/domain/withdrawalClaim';

// LUD-01's own example.
const LUD01_URL = 'https://service.com/api?q=3fc3645b439ce8e7f2553a69e5267081d96dcd340693afabe04be7b0ccd178df';
const LUD01_LNURL = 'LNURL1DP68GURN8GHJ7UM9WFMXJCM99E3K7MF0V9CXJ0M385EKVCENXC6R2C35XVUKXEFCV5MKVV34X5EKZD3EV56NYD3HXQURZEPEXEJXXEPNXSCRVWFNV9NXZCN9XQ6XYEFHVGCXXCMYXYMNSERXFQ5FNS';

describe('the LNURL codec (LUD-01)', () => {
  test('encodes LUD-01\'s example URL to its LNURL, lower case, and decodes it back from either case', () => {
    expect(encodeLnurl(LUD01_URL)).toBe(LUD01_LNURL.toLowerCase());
    expect(decodeLnurl(LUD01_LNURL)).toBe(LUD01_URL);
    expect(decodeLnurl(LUD01_LNURL.toLowerCase())).toBe(LUD01_URL);
    expect(decodeLnurl(`lightning:${LUD01_LNURL}`)).toBe(LUD01_URL);
  });

  test('URLs longer than bech32\'s 90 characters round-trip', () => {
    const url = `http://127.0.0.1:4321/lnurl/withdraw/wlink_${'x'.repeat(24)}`;
    const lnurl = encodeLnurl(url);
    expect(lnurl.length).toBeGreaterThan(90);
    expect(lnurl.startsWith('lnurl1')).toBe(true);
    expect(decodeLnurl(lnurl.toUpperCase())).toBe(url);
  });

  test('refuses a bad checksum, mixed case, another prefix and a non-http URL', () => {
    const good = encodeLnurl('https://example.com/w');
    const flipped = `${good.slice(0, -1)}${good.endsWith('q') ? 'p' : 'q'}`;
    expect(() => decodeLnurl(flipped)).toThrow(InvalidLnurlError);
    expect(() => decodeLnurl(`${good.slice(0, 10).toUpperCase()}${good.slice(10)}`)).toThrow(/mixed-case/);
    expect(() => decodeLnurl('lnbcrt1qqqqqqqqqq')).toThrow(InvalidLnurlError);
    expect(() => encodeLnurl('ftp://example.com')).toThrow(InvalidLnurlError);
    expect(() => encodeLnurl('/relative')).toThrow(InvalidLnurlError);
  });

  test('LUD-17 names the withdraw URL with lnurlw://', () => {
    expect(lud17WithdrawUrl('https://pay.example/lnurl/w/1')).toBe('lnurlw://pay.example/lnurl/w/1');
  });
});

describe('the withdraw request (LUD-03)', () => {
  test('a single-use link asks for exactly its amount, in millisatoshis', () => {
    expect(withdrawRequest({ callback: 'https://x/cb', k1: 'ab', sats: 1234n, description: 'Refund' })).toEqual({
      tag: 'withdrawRequest', callback: 'https://x/cb', k1: 'ab', defaultDescription: 'Refund', minWithdrawable: 1_234_000, maxWithdrawable: 1_234_000,
    });
  });

  test('an amount whose millisatoshis a JSON number cannot hold exactly is refused', () => {
    expect(() => withdrawRequest({ callback: 'c', k1: 'k', sats: 9_007_199_254_741n, description: '' })).toThrow(RangeError);
  });
});

describe('which invoice may claim a withdrawal link', () => {
  const now = 1_700_000_000_000;
  const link = { status: 'active', targetSats: 5000n, expiresAt: now + 60_000 };
  const invoice = { amountSats: 5000n, expiresAt: now + 3_600_000, payeeNodeKey: '02aa' };

  test.each([
    ['an invoice for exactly the amount, valid for an hour', link, invoice, null],
    ['an invoice for one sat less', link, { ...invoice, amountSats: 4999n }, /exactly 5000 sats/],
    ['an invoice for one sat more', link, { ...invoice, amountSats: 5001n }, /exactly 5000 sats/],
    ['an expired invoice', link, { ...invoice, expiresAt: now - 1 }, /expired/],
    ['an invoice that expires before the send could finish', link, { ...invoice, expiresAt: now + MIN_INVOICE_REMAINING_MS - 1 }, /expires too soon/],
    ['a link past its expiry', { ...link, expiresAt: now }, invoice, /link has expired/],
    ['a link that never expires', { ...link, expiresAt: null }, invoice, null],
    ['a link already claimed', { ...link, status: 'processing' }, invoice, /already been claimed/],
    ['a link already paid', { ...link, status: 'paid' }, invoice, /already been claimed/],
    ['a deactivated link', { ...link, status: 'deactivated' }, invoice, /no longer active/],
  ])('%s', (_name, l, i, expected) => {
    const problem = claimProblem(l, i, now);
    if (expected === null) expect(problem).toBeNull();
    else expect(problem).toMatch(expected);
  });

  test('the platform\'s own invoice is refused (a self-payment moves nothing)', () => {
    expect(claimProblem(link, invoice, now, ['02aa'])).toMatch(/platform's own/);
  });
});
