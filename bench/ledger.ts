import { PLATFORM_ACCOUNT_ID } from '../src/db/accounts';
import type { Db } from '../src/db/knex';
import { derivedAccountBalance, EXTERNAL_ACCOUNT_ID, postLedgerTransaction } from '../src/db/ledger';
import { T } from '../src/db/tables';
import { summarize, type Summary } from './stats';
import type { Merchant } from './system';

/** Figures of the ledger phase: a receipt's postings for a merchant without history and one with a long one. */
export interface LedgerResult {
  priorEntries: number;
  receipts: number;
  /** The ledger work of crediting one receipt (payment, platform fee, 2 transfers) in one transaction. */
  fresh: Summary;
  heavy: Summary;
  /** heavy p50 / fresh p50: ≈ 1 when the cost does not depend on history. */
  ratio: number;
  /** What deriving the heavy merchant's balance from its entries costs (the check before running balances, per debit). */
  derivedBalance: Summary;
}

/**
 * Gives `heavy` `priorEntries` ledger entries (received from the external account, interleaved with
 * another account's, as a busy merchant's history looks), then times the postings of `receipts`
 * receipts for `fresh` (no history) and `heavy`, alternating so both see the same machine load.
 */
export async function runLedger(
  db: Db, fresh: Merchant, heavy: Merchant, other: Merchant, destinations: Merchant[], opts: { priorEntries: number; receipts: number },
): Promise<LedgerResult> {
  await seedHistory(db, heavy.id, other.id, opts.priorEntries);
  const timings = { fresh: [] as number[], heavy: [] as number[], derived: [] as number[] };
  for (let i = 0; i < opts.receipts; i++) {
    for (const [name, merchant] of [['fresh', fresh], ['heavy', heavy]] as const) {
      const t0 = performance.now();
      await db.transaction((tx) => postReceipt(tx, merchant.id, destinations.map((d) => d.id), `bench-ledger:${merchant.id}:${i}`));
      timings[name].push(performance.now() - t0);
    }
    if (i % 10 === 0) {
      const t0 = performance.now();
      await derivedAccountBalance(db, heavy.id, false);
      timings.derived.push(performance.now() - t0);
    }
  }
  const [f, h] = [summarize(timings.fresh), summarize(timings.heavy)];
  return { priorEntries: opts.priorEntries, receipts: opts.receipts, fresh: f, heavy: h,
    ratio: Math.round((h.p50 / f.p50) * 100) / 100, derivedBalance: summarize(timings.derived) };
}

/** The postings of one 10,000-sat receipt with a 1 % fee and splits of 10 % and 25 %, as creditReceipt + executeTransfer make them. */
async function postReceipt(tx: Parameters<typeof postLedgerTransaction>[0], accountId: string, destinations: string[], key: string) {
  const base = { livemode: false, now: Date.now() };
  await postLedgerTransaction(tx, { ...base, key: `${key}:payment`, type: 'payment',
    entries: [{ accountId: EXTERNAL_ACCOUNT_ID, amount: -10_000n }, { accountId, amount: 10_000n }] });
  await postLedgerTransaction(tx, { ...base, key: `${key}:platform_fee`, type: 'platform_fee',
    entries: [{ accountId, amount: -100n }, { accountId: PLATFORM_ACCOUNT_ID, amount: 100n }] });
  for (const [index, [destination, sats]] of [[destinations[0], 990n], [destinations[1], 2_475n]].entries()) {
    await postLedgerTransaction(tx, { ...base, key: `${key}:transfer:${index}`, type: 'transfer',
      entries: [{ accountId, amount: -(sats as bigint) }, { accountId: destination as string, amount: sats as bigint }] });
  }
}

/** Inserts `n` one-sat receipts of `accountId` (and as many of `otherId`, interleaved) in bulk, balances included. */
async function seedHistory(db: Db, accountId: string, otherId: string, n: number): Promise<void> {
  const now = Date.now();
  // In batches: each statement stays well inside the system's statement_timeout on a busy machine.
  for (let from = 1; from <= n * 2; from += 20_000) {
    const to = Math.min(n * 2, from + 19_999);
    await db.raw(`insert into ${T.ledgerTransactions} (id, key, type, livemode, created)
      select 'txn_benchseed_' || g, 'bench-seed:' || g, 'payment', false, ? from generate_series(?::int, ?::int) g`, [now, from, to]);
    await db.raw(`insert into ${T.ledgerEntries} (txn_id, account_id, livemode, amount, created)
      select 'txn_benchseed_' || g, case when g % 2 = 0 then ? else ? end, false, 1, ?::bigint + g from generate_series(?::int, ?::int) g
      union all select 'txn_benchseed_' || g, ?, false, -1, ?::bigint + g from generate_series(?::int, ?::int) g`,
    [accountId, otherId, now, from, to, EXTERNAL_ACCOUNT_ID, now, from, to]);
  }
  for (const id of [accountId, otherId]) {
    await db.raw(`insert into ${T.accountBalances} (account_id, livemode, balance) values (?, false, ?)
      on conflict (account_id, livemode) do update set balance = ${T.accountBalances}.balance + excluded.balance`, [id, n]);
  }
  await db.raw(`analyze ${T.ledgerEntries}`);
}
