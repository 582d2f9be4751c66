import { CURRENCY_DECIMALS } from '../../../src/domain/money';
import { currentExchangeRate, toTargetSats } from '../../../src/rates/convert';
import { createModeRates } from '../../../src/rates/modeRates';

/** Every currency a session may be priced in (the list the API's validation advertises). */
const ADVERTISED = Object.keys(CURRENCY_DECIMALS);

describe('test mode prices every advertised currency with the default configuration', () => {
  const rates = createModeRates({ kind: 'static' });
  const withLiveProvider = createModeRates({ kind: 'http', url: 'https://rates.invalid' });

  it.each(ADVERTISED)('%s: 10 units convert to a positive number of sats', async (currency) => {
    const rate = await currentExchangeRate(rates.test, currency);
    expect(toTargetSats('10', rate)).toBeGreaterThan(0n);
    // A live provider configured changes nothing for test mode: it still prices from the static table.
    expect(await currentExchangeRate(withLiveProvider.test, currency)).toBe(rate);
  });
});
