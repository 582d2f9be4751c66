import { invoiceMemo } from '../../../activities/payments';

describe('the invoice memo at payment time', () => {
  test('a text within 639 bytes is kept as it is', () => {
    expect(invoiceMemo('Concert ticket')).toBe('Concert ticket');
    expect(invoiceMemo('a'.repeat(639))).toBe('a'.repeat(639));
  });

  test('a longer one is cut at a character boundary, never past 639 bytes of UTF-8', () => {
    const memo = invoiceMemo('漢'.repeat(250)); // 750 bytes, 3 per character
    expect(memo).toBe('漢'.repeat(213));
    expect(Buffer.byteLength(memo, 'utf8')).toBe(639);
    const emoji = invoiceMemo(`${'a'.repeat(637)}😀tail`); // the 4-byte emoji does not fit in the last 2 bytes
    expect(emoji).toBe('a'.repeat(637));
    expect(emoji).not.toMatch(/[\ud800-\udfff]/);
  });
});
