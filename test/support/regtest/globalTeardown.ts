type Stops = { __checkoutTestStop?: () => Promise<void>; __regtestStop?: () => Promise<void>; __regtestOwnsBase?: boolean };

/** Stops the regtest network, and PostgreSQL/Temporal when this project started them. */
export default async function regtestGlobalTeardown(): Promise<void> {
  const g = globalThis as Stops;
  await g.__regtestStop?.();
  if (g.__regtestOwnsBase) await g.__checkoutTestStop?.();
}
