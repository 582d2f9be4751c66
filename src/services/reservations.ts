import type { Knex } from 'knex';
import type { DbOrTx } from '../db/knex';
import { REFUNDS } from '../db/refunds';
import { T } from '../db/tables';
import { WITHDRAWAL_LINKS } from '../db/withdrawalLinks';
import type { Difference } from './reconcile';

/** One money-out object that holds a reservation while it is not final. */
interface Holder { account_id: string; livemode: boolean; id: string; held: string }

/**
 * Ties every account's `reserved` to the money-out objects in flight: it must equal what the non-final
 * ones hold (src/db/funds.ts reserves at create and releases exactly once, with the final status):
 *
 *   payouts          `unpaid`                    reserved_amount (amount + fee limit)
 *   withdrawal links `active` | `processing`     target_amount + fee_limit
 *   refunds          `pending`, paid to an invoice (not through a link, whose own row holds it)
 *                                               target_amount + fee_limit
 *
 * More reserved than that is a reservation nobody will release (a final object that kept its hold, or a
 * hold of no object): the money is stuck out of `available`. Less is an object in flight whose send is
 * not covered, so the balance could be spent twice. Either is a difference, naming the objects in flight.
 */
export async function reservationDifferences(db: DbOrTx): Promise<Difference[]> {
  // One snapshot: a payout created or settled between two reads would look like a mismatch.
  if ((db as { isTransaction?: boolean }).isTransaction) return compare(db);
  return (db as Knex).transaction((tx) => compare(tx), { isolationLevel: 'repeatable read' });
}

async function compare(db: DbOrTx): Promise<Difference[]> {
  const holders: Holder[] = [
    ...(await db(T.payouts).select('account_id', 'livemode', 'id', db.raw('reserved_amount::text as held')).where({ status: 'unpaid' }) as Holder[]),
    ...(await db(WITHDRAWAL_LINKS).select('account_id', 'livemode', 'id', db.raw('(target_amount + fee_limit)::text as held'))
      .whereIn('status', ['active', 'processing']) as Holder[]),
    ...(await db(REFUNDS).select('account_id', 'livemode', 'id', db.raw('(target_amount + coalesce(fee_limit, 0))::text as held'))
      .where({ status: 'pending' }).whereNull('withdrawal_link_id') as Holder[]),
  ];
  const expected = new Map<string, { sats: bigint; ids: string[] }>();
  for (const h of holders) {
    const key = `${h.account_id}:${h.livemode}`;
    const e = expected.get(key) ?? { sats: 0n, ids: [] };
    e.sats += BigInt(h.held);
    e.ids.push(h.id);
    expected.set(key, e);
  }
  const kept = await db(T.accountBalances).select('account_id', 'livemode', 'reserved') as { account_id: string; livemode: boolean; reserved: string }[];
  const diffs: Difference[] = [];
  const seen = new Set<string>();
  for (const row of kept) {
    const key = `${row.account_id}:${row.livemode}`;
    seen.add(key);
    const e = expected.get(key) ?? { sats: 0n, ids: [] };
    if (BigInt(row.reserved) !== e.sats) diffs.push(mismatch(key, e, BigInt(row.reserved)));
  }
  for (const [key, e] of expected) if (!seen.has(key) && e.sats !== 0n) diffs.push(mismatch(key, e, 0n));
  return diffs;
}

function mismatch(subject: string, e: { sats: bigint; ids: string[] }, reserved: bigint): Difference {
  const inFlight = e.ids.length === 0 ? 'no money-out object in flight' : `in flight: ${e.ids.slice(0, 10).join(', ')}${e.ids.length > 10 ? ', …' : ''}`;
  return { kind: reserved > e.sats ? 'reservation_without_object' : 'object_without_reservation', subject, expected: `${e.sats} (${inFlight})`, actual: String(reserved) };
}
