import type { Knex } from 'knex';
import type { DbOrTx } from '../../db/knex';
import { pageQuery, type PageOptions } from '../../db/pagination';
import { SESSION_ROW_COLUMNS, type Scope, type SessionRow } from '../../db/sessions';
import { T } from '../../db/tables';

/**
 * A page of an account's sessions in one mode, newest first, filtered by status and by a search term
 * that matches exactly one of: the session ID, the link it came from, a payment ID of the session, a metadata value, or the
 * customer's email (case-insensitive). Exact matches keep the search on the account's rows and index.
 */
export async function searchSessions(
  db: DbOrTx, scope: Scope, opts: PageOptions & { status?: string; q?: string },
): Promise<{ rows: SessionRow[]; hasMore: boolean }> {
  const q = opts.q?.trim();
  const where = (b: Knex.QueryBuilder) => {
    b.where({ account_id: scope.accountId, livemode: scope.livemode });
    if (opts.status) b.andWhere({ status: opts.status });
    if (q) {
      b.andWhere((s) => {
        s.where('id', q).orWhere('link_id', q)
          .orWhereIn('id', db(T.payments).select('checkout_session_id').where({ id: q, account_id: scope.accountId, livemode: scope.livemode }))
          .orWhereRaw("lower(customer_details->>'email') = lower(?)", [q])
          .orWhereRaw("exists (select 1 from jsonb_each_text(case when jsonb_typeof(definition->'metadata') = 'object' then definition->'metadata' else '{}'::jsonb end) m where m.value = ?)", [q]);
      });
    }
  };
  return pageQuery<SessionRow>(db, T.sessions, SESSION_ROW_COLUMNS, where, opts, undefined, { account_id: scope.accountId, livemode: scope.livemode });
}
