/** Public surface of the rates library: BTC prices and their conversion to SATS. */
export { createRateProvider, type RateProvider, type RateProviderConfig } from './provider';
export { StaticRateProvider, DEFAULT_STATIC_RATES, parseRateTable } from './staticRateProvider';
export { HttpRateProvider, type HttpRateProviderOptions } from './httpRateProvider';
export { exchangeRateSatsPerUnit, toTargetSats, currentExchangeRate, isBitcoinUnit, RATE_DECIMAL_PLACES } from './convert';
export { UnknownCurrencyError, RateProviderError, RateConfigError, InvalidConversionInputError } from './errors';
export { createModeRates, type ModeRates } from './modeRates';
