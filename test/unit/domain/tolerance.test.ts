import { baseValueOfSats, isPaidWithinTolerance } from '../../../src/domain/tolerance';

describe('the paid rule: amount_paid ≥ amount × (1 − tolerance/100)', () => {
  test.each([
    ['97499', '100000', '2.5', false],
    ['97500', '100000', '2.5', true],
    ['100000', '100000', '0', true],
    ['99999', '100000', '0', false],
    ['95000', '100000', '5', true],
    ['94999', '100000', '5', false],
    ['99', '100', '1', true],
    ['98', '100', '1', false],
    ['9.99', '10.00', '0.1', true],
    ['9.98', '10.00', '0.1', false],
    ['0.00099', '0.001', '1', true],
    ['0.00098999', '0.001', '1', false],
    ['120000', '100000', '1', true],
  ])('%s paid of %s at %s%% tolerance → paid %s', (paid, amount, tolerance, expected) => {
    expect(isPaidWithinTolerance(paid, amount, tolerance)).toBe(expected);
  });

  test('sats convert to the base currency at the payment\'s locked rate', () => {
    expect(baseValueOfSats('10000', '1')).toBe('10000');
    expect(baseValueOfSats('150000000', '100000000')).toBe('1.5');
    expect(baseValueOfSats('1000', '1000')).toBe('1');
  });
});
