import type { DbOrTx } from './knex';
import { T } from './tables';

/**
 * A payment link's open unpaid sessions: active, nothing received. Each holds an address index (and,
 * live, an invoice), so their number is what a visitor can make the merchant's wallet burn.
 * `nextExpiry` is the earliest current payment's expiry (ms), for a Retry-After.
 */
export async function openUnpaidLinkSessions(db: DbOrTx, linkId: string): Promise<{ count: number; nextExpiry: number | null }> {
  const row = await db(`${T.sessions} as s`)
    .leftJoin(`${T.payments} as p`, 'p.id', 's.payment_id')
    .where({ 's.link_id': linkId, 's.status': 'active', 's.target_amount_paid': 0 })
    .first(db.raw('count(*)::int as count'), db.raw('min(p.expires_at)::text as next_expiry'));
  const r = row as { count: number; next_expiry: string | null } | undefined;
  return { count: r?.count ?? 0, nextExpiry: r?.next_expiry ? Number(r.next_expiry) : null };
}
