import { ADMIN_KEY, call } from './testSystem';

/**
 * Connects each destination to `source` through the admin API (transfer consent, docs/transfers.md):
 * what a session or link with transfers from `source` to them needs first.
 */
export async function connectTransfers(baseUrl: string, source: string, ...destinations: string[]): Promise<void> {
  for (const destination of destinations) {
    const res = await call(baseUrl, ADMIN_KEY, 'POST', `/accounts/${source}/transfer-destinations`, { destination_account: destination });
    if (res.status !== 200) throw new Error(`transfer connection failed: ${JSON.stringify(res.body)}`);
  }
}
