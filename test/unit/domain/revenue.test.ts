import { revenueIn } from '../../../src/domain/revenue';

const days = ['2026-12-01', '2026-12-02'];

test('revenue in the display currency uses each payment\'s own locked rate, summed exactly and floored once', () => {
  const r = revenueIn('USD', [
    { day: '2026-12-01', sats: '1000', currency: 'USD', rate: '3000' }, // 0.333… USD
    { day: '2026-12-01', sats: '1000', currency: 'USD', rate: '1500' }, // 0.666… USD, another payment's rate
    { day: '2026-12-02', sats: '250', currency: 'USD', rate: '100' },
  ], days);
  expect(r.days).toEqual([{ day: '2026-12-01', sats: '2000', value: '1' }, { day: '2026-12-02', sats: '250', value: '2.5' }]);
  // 1/3 + 2/3 + 2.5 = 3.5 exactly: rounding each quotient first would have given 3.49.
  expect(r.total).toBe('3.5');
  expect(r.unconvertedSats).toBe('0');
});

test('sats of payments priced in another currency are not valued at a rate they never had', () => {
  const r = revenueIn('EUR', [
    { day: '2026-12-01', sats: '1000', currency: 'USD', rate: '1000' },
    { day: '2026-12-01', sats: '500', currency: 'SATS', rate: '1' },
    { day: '2026-12-02', sats: '2000', currency: 'EUR', rate: '1000' },
  ], days);
  expect(r.total).toBe('2');
  expect(r.unconvertedSats).toBe('1500');
  expect(r.days[0]).toEqual({ day: '2026-12-01', sats: '1500', value: '0' });
});

test('BTC and SATS are fixed units: every payment converts, whatever it was priced in', () => {
  const groups = [{ day: '2026-12-02', sats: '150000000', currency: 'USD', rate: '1234.5' }, { day: '2026-12-02', sats: '1', currency: null, rate: null }];
  expect(revenueIn('BTC', groups, days)).toMatchObject({ total: '1.50000001', unconvertedSats: '0' });
  expect(revenueIn('SATS', groups, days)).toMatchObject({ total: '150000001', unconvertedSats: '0' });
});

test('a day outside the window is left out', () => {
  expect(revenueIn('USD', [{ day: '2026-11-01', sats: '9', currency: 'USD', rate: '1' }], days)).toMatchObject({ total: '0', unconvertedSats: '0' });
});
