/** Removes what the fast tier's global setup wrote. */
export default async function fastGlobalTeardown(): Promise<void> {
  (globalThis as { __checkoutFastStop?: () => void }).__checkoutFastStop?.();
}
