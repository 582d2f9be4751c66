import type { Knex } from 'knex';
import { T } from '../../src/db/tables';
import { columnsExcept } from './tableColumns';

/** The addresses to make: `count` of them named `${prefix}${n}` (zero-padded, so they sort in `n` order), or a given list. */
export type WatchedAddressSpec = { count: number } | { addresses: string[] };

/**
 * Makes more watched live addresses by SQL alone (no API, no workflows): each a copy of the template
 * session and payment, active and live, with its own address owned by its own session (IDs
 * `${prefix}cs_…` and `${prefix}pay_…`, so `deleteWatchedAddresses` finds them). For scale tests and the
 * bench, where a million sessions through the API would take hours. Returns the number of rows made.
 */
export async function insertWatchedAddresses(
  db: Knex, template: { sessionId: string; paymentId: string }, spec: WatchedAddressSpec, prefix: string,
): Promise<number> {
  const sessionCols = await columnsExcept(db, T.sessions, ['id', 'livemode', 'status']);
  const paymentCols = await columnsExcept(db, T.payments, ['id', 'checkout_session_id', 'livemode', 'onchain_address', 'payment_hash', 'payment_request']);
  const count = 'count' in spec ? Math.floor(spec.count) : spec.addresses.length;
  const pad = String(count).length + 1;
  const id = (kind: string) => `'${prefix}${kind}_' || lpad(a.n::text, ${pad}, '0')`;
  // a(n, address): the rows to make, numbered from 1.
  const [source, bindings] = 'count' in spec
    ? [`(select n, '${prefix}' || lpad(n::text, ${pad}, '0') as address from generate_series(1, ${count}) n) a`, []]
    : ['unnest(?::text[]) with ordinality as a(address, n)', [spec.addresses]];
  await db.transaction(async (tx) => {
    // Bulk statements, not requests: the pool's per-statement limit does not apply.
    await tx.raw('set local statement_timeout = 0');
    await tx.raw(`insert into ${T.sessions} (id, livemode, status, ${sessionCols.join(', ')})
      select ${id('cs')}, true, 'active', ${sessionCols.map((c) => `s.${c}`).join(', ')} from ${T.sessions} s, ${source} where s.id = ?`,
    [...bindings, template.sessionId]);
    await tx.raw(`insert into onchain_addresses (address, account_id, livemode, checkout_session_id, created)
      select a.address, s.account_id, true, ${id('cs')}, s.created from ${T.sessions} s, ${source} where s.id = ?`,
    [...bindings, template.sessionId]);
    await tx.raw(`insert into ${T.payments} (id, checkout_session_id, livemode, onchain_address, ${paymentCols.join(', ')})
      select ${id('pay')}, ${id('cs')}, true, a.address, ${paymentCols.map((c) => `p.${c}`).join(', ')}
      from ${T.payments} p, ${source} where p.id = ?`, [...bindings, template.paymentId]);
    await tx.raw(`analyze ${T.payments}`);
    await tx.raw(`analyze ${T.sessions}`);
  });
  return count;
}

/** Deletes what `insertWatchedAddresses` made with `prefix`. */
export async function deleteWatchedAddresses(db: Knex, prefix: string): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.raw('set local statement_timeout = 0');
    await deleteRows(tx, prefix);
  });
}

async function deleteRows(db: Knex.Transaction, prefix: string): Promise<void> {
  await db(T.payments).where('id', 'like', `${prefix}pay\\_%`).delete();
  await db('onchain_addresses').whereIn('checkout_session_id', db(T.sessions).select('id').where('id', 'like', `${prefix}cs\\_%`)).delete();
  await db(T.sessions).where('id', 'like', `${prefix}cs\\_%`).delete();
}
