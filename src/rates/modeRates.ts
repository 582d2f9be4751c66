import { RateConfigError } from './errors';
import { createRateProvider, type RateProvider, type RateProviderConfig } from './provider';
import { StaticRateProvider } from './staticRateProvider';

/**
 * The price source of each mode. Test mode prices from the static table (predictable, no network);
 * live mode only from a real provider (`RATE_PROVIDER=http`): a made-up table must never price money.
 */
export interface ModeRates {
  test: RateProvider;
  live: RateProvider;
  /** False when live fiat cannot be priced (no real provider configured): refused at create. */
  liveConfigured: boolean;
}

/** Stands in for the missing live provider: every price request fails with a named, non-transient error. */
class UnconfiguredLiveRates implements RateProvider {
  async btcPrice(): Promise<string> {
    throw new RateConfigError('live fiat prices need a real rate provider: set RATE_PROVIDER=http and RATE_PROVIDER_URL');
  }
}

/** Builds both modes' providers from the configuration; `override` (tests, benchmarks) serves both. */
export function createModeRates(config: RateProviderConfig, override?: RateProvider): ModeRates {
  if (override) return { test: override, live: override, liveConfigured: true };
  const test = new StaticRateProvider(config.table);
  if (config.kind === 'http') return { test, live: createRateProvider(config), liveConfigured: true };
  return { test, live: new UnconfiguredLiveRates(), liveConfigured: false };
}
