import type { DbOrTx } from '../../db/knex';
import type { ServiceContext } from '../../services/context';
import { isSealed, open, resealed, seal, type Keyring } from '../../infra/secretBox';
import { USERS } from './users';

/** What a user's TOTP key is bound to: its own row (the enrolment's pending key and the confirmed one share it). */
const aad = (userId: string) => `dashboard_users.totp:${userId}`;

function ringOf(ctx: Pick<ServiceContext, 'secretKeys'>): Keyring {
  if (!ctx.secretKeys) throw new Error('the dashboard secret keys are not configured');
  return ctx.secretKeys;
}

/** A TOTP key as stored: sealed under the current key. */
export function sealTotpSecret(ctx: Pick<ServiceContext, 'secretKeys'>, userId: string, plain: string): string {
  return seal(ringOf(ctx), plain, aad(userId));
}

/** A stored TOTP key opened; a plain one (stored before sealing, not yet resealed) is returned as it is. */
export function openTotpSecret(ctx: Pick<ServiceContext, 'secretKeys'>, userId: string, stored: string | null): string | null {
  if (stored === null) return null;
  return isSealed(stored) ? open(ringOf(ctx), stored, aad(userId)) : stored;
}

/**
 * Seals every TOTP key stored plain (migration 105 kept them so) and reseals those under a previous key,
 * each with a conditional UPDATE (a concurrent change wins; running twice changes nothing). A value
 * sealed under a key this process does not have is left as it is. Returns how many rows changed.
 */
export async function resealTotpSecrets(db: DbOrTx, ring: Keyring): Promise<number> {
  const rows: { id: string; totp_secret: string | null; totp_pending_secret: string | null }[] = await db(USERS)
    .select('id', 'totp_secret', 'totp_pending_secret')
    .where((q) => { q.whereNotNull('totp_secret').orWhereNotNull('totp_pending_secret'); });
  let changed = 0;
  for (const r of rows) {
    const next = (v: string | null) => {
      if (v === null) return null;
      const known = !isSealed(v) || ring.byId.has(v.split('.')[1]);
      return known ? resealed(ring, v, aad(r.id)) : null;
    };
    const [secret, pending] = [next(r.totp_secret), next(r.totp_pending_secret)];
    if (secret === null && pending === null) continue;
    const n = await db(USERS).where({ id: r.id, totp_secret: r.totp_secret, totp_pending_secret: r.totp_pending_secret })
      .update({ ...(secret !== null ? { totp_secret: secret } : {}), ...(pending !== null ? { totp_pending_secret: pending } : {}) });
    changed += n;
  }
  return changed;
}
