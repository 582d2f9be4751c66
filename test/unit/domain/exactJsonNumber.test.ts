import { exactJsonNumber } from '../../../src/domain/money';

describe('exactJsonNumber: a typed decimal handed on as a JSON number only when the number is that decimal', () => {
  test.each([
    ['20', 20], ['10.50', 10.5], ['0.00012345', 0.00012345], ['123456789012345', 123456789012345], ['9007199254740991', 9007199254740991],
  ])('%s → %d', (text, n) => {
    expect(exactJsonNumber(text)).toBe(n);
  });

  test.each(['123456789012345.00000001', '9007199254740993', '1.0000000000000000001', '1e400'])('%s would be rounded: null', (text) => {
    expect(exactJsonNumber(text)).toBeNull();
  });
});
