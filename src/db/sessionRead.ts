import type { QueryArrayResult } from 'pg';
import type { Db } from './knex';
import { queryPreparedArrays } from './prepared';
import { PAYMENT_COLUMNS, type PaymentRow } from './payments';
import { SESSION_ROW_COLUMNS, type Scope, type SessionRow } from './sessions';
import { T } from './tables';

/** A session with its funded payments (the API object's `payments`). */
export interface SessionWithFunded {
  row: SessionRow;
  funded: PaymentRow[];
}

// The session and its funded payments in one round trip (none until something was received:
// `target_amount_paid` is written in the same transaction as the payments): one row per funded payment,
// or one row with the payment columns null. `__funded` marks where they begin; pg parses every column as
// knex would (int8/NUMERIC as strings). The columns are named, never `*`: a prepared statement whose
// result columns change (a migration adding one) is refused by PostgreSQL on every connection it was
// planned on.
const SESSION_COLUMNS = [...SESSION_ROW_COLUMNS.map((c) => `s.${c}`), 'null as "__funded"', ...PAYMENT_COLUMNS.map((c) => `p.${c}`)].join(', ');
const FUNDED_JOIN = `left join ${T.payments} p on p.checkout_session_id = s.id and s.target_amount_paid > 0 and p.received_sats > 0`;

const BY_SCOPE = {
  name: 'checkout_session_read_v3',
  text: `select ${SESSION_COLUMNS} from ${T.sessions} s ${FUNDED_JOIN}
    where s.id = ? and s.account_id = ? and s.livemode = ? order by p.seq`,
};

/** Rebuilds the session row and its funded payments from the joined rows, starting at column `from`. */
function sessionFromRows(result: QueryArrayResult, from: number): SessionWithFunded | undefined {
  const names = result.fields.map((f) => f.name);
  const split = names.indexOf('__funded');
  const first = result.rows[0];
  if (!first || first[from] === null) return undefined;
  const toObject = (values: unknown[], start: number, end: number) => {
    const o: Record<string, unknown> = {};
    for (let i = start; i < end; i++) o[names[i]] = values[i];
    return o;
  };
  // The first payment column is its primary key: null only on the row of a session without funded payments.
  const funded = result.rows.filter((r) => r[split + 1] !== null)
    .map((r) => toObject(r, split + 1, names.length) as unknown as PaymentRow);
  return { row: toObject(first, from, split) as unknown as SessionRow, funded };
}

/** A session of `scope` with its funded payments, in one prepared statement. */
export async function readSessionWithFunded(db: Db, id: string, scope: Scope): Promise<SessionWithFunded | undefined> {
  return sessionFromRows(await queryPreparedArrays(db, BY_SCOPE, [id, scope.accountId, scope.livemode]), 0);
}
