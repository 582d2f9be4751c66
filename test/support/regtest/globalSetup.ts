import integrationSetup from '../globalSetup';
import { startRegtestNetwork } from './network';

type Stops = { __checkoutTestStop?: () => Promise<void>; __regtestStop?: () => Promise<void>; __regtestOwnsBase?: boolean };

/**
 * The `regtest` jest project: a real Bitcoin + Lightning network (btcd, two LND nodes) next to the
 * PostgreSQL and Temporal of the integration setup (started here too when only this project runs).
 */
export default async function regtestGlobalSetup(): Promise<void> {
  const g = globalThis as Stops;
  if (!process.env.CHECKOUT_TEST_TEMPORAL_ADDRESS) {
    await integrationSetup();
    g.__regtestOwnsBase = true;
  }
  const network = await startRegtestNetwork();
  process.env.CHECKOUT_REGTEST_NETWORK = JSON.stringify(network.info);
  g.__regtestStop = network.stop;
}
