import { generateTestAccountKey } from '../../../src/bitcoin';
import { ADMIN_KEY, call, createMerchant, waitFor } from '../testSystem';

/** A merchant with a regtest account key (tpub) and a live secret key. */
export interface LiveMerchant {
  id: string;
  key: string;
  liveKey: string;
  tpub: string;
}

/** Creates a merchant account whose live on-chain addresses derive from a fresh regtest tpub. */
export async function createLiveMerchant(baseUrl: string, body: Record<string, unknown> = {}): Promise<LiveMerchant> {
  const tpub = generateTestAccountKey('regtest').tpub;
  const m = await createMerchant(baseUrl, { xpub: tpub, onchain_settlement: 'merchant_wallet', ...body });
  const res = await call(baseUrl, ADMIN_KEY, 'POST', `/accounts/${m.id}/keys`, { livemode: true });
  if (res.status !== 200) throw new Error(`live key: ${JSON.stringify(res.body)}`);
  return { ...m, liveKey: res.body.secret_key, tpub };
}

/** Calls the API with a key; the JSON body. */
export function apiFor(baseUrl: string, key: string) {
  return async (method: string, route: string, body?: unknown) => (await call(baseUrl, key, method, route, body)).body;
}

/** Waits (up to `timeoutMs`) for the session to satisfy `done`; returns the last read. */
export function sessionUntil(baseUrl: string, key: string, id: string, done: (s: any) => boolean, timeoutMs = 30_000) {
  return waitFor(async () => (await call(baseUrl, key, 'GET', `/checkout-sessions/${id}`)).body, done, timeoutMs);
}
