import type { DbOrTx } from './knex';
import { pageQuery, type PageOptions } from './pagination';
import type { Scope } from './sessions';
import { columnsOf } from './columns';

const LINKS = 'links';
const SESSIONS = 'checkout_sessions';

/** A checkout link (`clink_`, one session) or a payment link (`plink_`, a session per visit). */
export type LinkKind = 'checkout' | 'payment';

/** A links row (int8 columns come back as strings). */
export interface LinkRow {
  id: string;
  kind: LinkKind;
  account_id: string;
  livemode: boolean;
  status: 'active' | 'deactivated';
  definition: Record<string, unknown>;
  checkout_session_id: string | null;
  created: string;
  modified: string;
}

/** Every column of `links`, as LinkRow names them. */
export const LINK_COLUMNS = columnsOf<LinkRow>()([
  'id', 'kind', 'account_id', 'livemode', 'status', 'definition', 'checkout_session_id', 'created',
  'modified',
]);

/** Inserts a link; a retried insert (same ID from the same idempotency seed) keeps the first. */
export async function insertLink(db: DbOrTx, row: Omit<LinkRow, 'status' | 'modified'>): Promise<void> {
  await db(LINKS)
    .insert({ ...row, status: 'active', definition: JSON.stringify(row.definition), modified: row.created })
    .onConflict('id').ignore();
}

/** A link of one kind, optionally scoped to an account and mode (the public pages look it up unscoped). */
export async function findLink(db: DbOrTx, kind: LinkKind, id: string, scope?: Scope): Promise<LinkRow | undefined> {
  const q = db(LINKS).select(LINK_COLUMNS).where({ id, kind });
  if (scope) q.andWhere({ account_id: scope.accountId, livemode: scope.livemode });
  return q.first();
}

/** Marks a link deactivated; true if this call changed it (it was active). */
export async function markLinkDeactivated(db: DbOrTx, id: string, now: number): Promise<boolean> {
  const changed = await db(LINKS).where({ id, status: 'active' }).update({ status: 'deactivated', modified: now });
  return changed > 0;
}

/**
 * A page of links of one kind, newest first. `status` filters on the status the API shows: for a
 * checkout link that is its session's status unless the link itself was deactivated.
 */
export async function listLinks(
  db: DbOrTx, scope: Scope, kind: LinkKind, opts: PageOptions & { status?: 'active' | 'paid' | 'deactivated' },
): Promise<{ rows: LinkRow[]; hasMore: boolean }> {
  const sessionsWith = (status: string) => db(SESSIONS).select('id').where({ status });
  return pageQuery<LinkRow>(db, LINKS, LINK_COLUMNS, (q) => {
    q.where({ account_id: scope.accountId, livemode: scope.livemode, kind });
    if (!opts.status) return;
    if (kind === 'payment') {
      q.andWhere({ status: opts.status });
    } else if (opts.status === 'deactivated') {
      q.andWhere((w) => w.where({ status: 'deactivated' }).orWhereIn('checkout_session_id', sessionsWith('deactivated')));
    } else {
      q.andWhere({ status: 'active' }).whereIn('checkout_session_id', sessionsWith(opts.status));
    }
  }, opts, undefined, { account_id: scope.accountId, livemode: scope.livemode, kind });
}
