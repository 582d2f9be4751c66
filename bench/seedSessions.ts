import type { Knex } from 'knex';
import { T } from '../src/db/tables';
import { columnsExcept } from '../test/support/tableColumns';

/** Which real session to copy, and how the copies differ from it. */
export interface SeedSpec {
  /** A session the API made, with its current payment (copied with it). */
  sessionId: string;
  paymentId: string;
  /** Copies to make, numbered from `from` (IDs must not repeat within one tag). */
  from: number;
  count: number;
  /** 8 base62 characters: with the number, the 24-character ID body every object ID has. */
  tag: string;
  /** Live copies' addresses are watched by the chain sources; test copies are paid by the simulator. */
  livemode: boolean;
  /** Copy n is `ageMs + n * stepMs` older than its template (created, modified): settled long ago, not watched. */
  ageMs?: number;
  stepMs?: number;
}

/** The IDs of copy `n` of a seed tag (valid object IDs: prefix, `_`, 24 base62 characters). */
export const seededIds = (tag: string, n: number) => {
  const body = `${tag}${String(n).padStart(16, '0')}`;
  return { sessionId: `cs_${body}`, paymentId: `pi_${body}` };
};

/**
 * Copies one real session with its current payment and its address owner, `count` times, by SQL
 * alone: session, payment and `onchain_addresses` rows with fresh IDs, a unique address, invoice hash
 * and invoice each. Copying a real session keeps every column realistic (its state, its events'
 * shape, its timestamps); copying an idle-closed one makes exactly the rows an abandoned session has
 * after its run closed, which a receipt brings back by signal-with-start. A million sessions through
 * the API (a million workflows) would take days on this machine; rows take a minute.
 */
export async function seedSessions(db: Knex, spec: SeedSpec, batch = 50_000): Promise<void> {
  const sessionCols = await columnsExcept(db, T.sessions, ['id', 'livemode', 'payment_id']);
  const paymentCols = await columnsExcept(db, T.payments, ['id', 'checkout_session_id', 'livemode', 'onchain_address', 'payment_hash', 'payment_request']);
  const body = `'${spec.tag}' || lpad(g::text, 16, '0')`;
  const shift = `(${Math.round(spec.ageMs ?? 0)}::bigint + g::bigint * ${Math.round(spec.stepMs ?? 0)})`;
  const col = (alias: string) => (c: string) => (c === '"created"' || c === '"modified"' ? `${alias}.${c} - ${shift}` : `${alias}.${c}`);
  for (let lo = spec.from; lo < spec.from + spec.count; lo += batch) {
    const hi = Math.min(spec.from + spec.count - 1, lo + batch - 1);
    await db.transaction(async (tx) => {
      // Bulk statements, not requests: the pool's per-statement limit does not apply.
      await tx.raw('set local statement_timeout = 0');
      await tx.raw(`insert into ${T.sessions} (id, livemode, payment_id, ${sessionCols.join(', ')})
        select 'cs_' || ${body}, ?, 'pi_' || ${body}, ${sessionCols.map(col('s')).join(', ')}
        from ${T.sessions} s, generate_series(?::int, ?::int) g where s.id = ?`, [spec.livemode, lo, hi, spec.sessionId]);
      await tx.raw(`insert into onchain_addresses (address, account_id, livemode, checkout_session_id, created)
        select 'seed' || ${body}, s.account_id, ?, 'cs_' || ${body}, s.created - ${shift}
        from ${T.sessions} s, generate_series(?::int, ?::int) g where s.id = ?`, [spec.livemode, lo, hi, spec.sessionId]);
      await tx.raw(`insert into ${T.payments} (id, checkout_session_id, livemode, onchain_address, payment_hash, payment_request, ${paymentCols.join(', ')})
        select 'pi_' || ${body}, 'cs_' || ${body}, ?, 'seed' || ${body}, md5(${body}) || md5('h' || ${body}),
          case when p.payment_request is null then null else p.payment_request || ${body} end, ${paymentCols.map(col('p')).join(', ')}
        from ${T.payments} p, generate_series(?::int, ?::int) g where p.id = ?`, [spec.livemode, lo, hi, spec.paymentId]);
    });
  }
  await db.raw(`analyze ${T.sessions}; analyze ${T.payments}; analyze onchain_addresses`);
}
