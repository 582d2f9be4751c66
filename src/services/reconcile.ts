import type { DbOrTx } from '../db/knex';
import { EXTERNAL_ACCOUNT_ID, type LedgerTxnType } from '../db/ledger';
import { unstartedPayouts, unstartedRefunds, unstartedWithdrawalLinks } from '../db/moneyOutStarts';
import { T } from '../db/tables';
import type { NodeFunds } from '../bitcoin/lndSender';
import { reservationDifferences } from './reservations';

/** Ledger transaction types that move sats from an account to the outside world (`acct_external`). */
const MONEY_OUT_TYPES: LedgerTxnType[] = ['payout', 'payout_fee', 'refund', 'refund_fee'];

/** One thing that does not add up. */
export interface Difference {
  kind: string;
  subject: string;
  expected: string;
  actual: string;
}

const STUCK_TRANSFER_MS = 5 * 60_000;
const STUCK_RECEIPT_MS = 5 * 60_000;
const STUCK_MONEY_OUT_START_MS = 5 * 60_000;
/** At most this many rows of one kind are listed per check (the oldest). */
const REPORT_LIMIT = 1000;

/**
 * Re-derives the money state from receipts and ledger entries and lists every difference:
 * unbalanced transactions, receipts not posted at their gross, splits that do not add up, negative
 * balances, balances that do not sum to the money received, sessions whose totals disagree with their
 * receipts, transfers stuck pending or failed, receipts stored but uncredited for over 5 minutes,
 * payouts, refunds and withdrawal links whose workflow was never started for over 5 minutes, and
 * reservations that are not exactly those of the money-out objects in flight (./reservations.ts).
 */
export async function reconcile(db: DbOrTx, now = Date.now()): Promise<Difference[]> {
  const diffs: Difference[] = [];
  const add = (kind: string, subject: string, expected: unknown, actual: unknown) =>
    diffs.push({ kind, subject, expected: String(expected), actual: String(actual) });

  const unbalanced = await rows<{ txn_id: string; total: string }>(db(T.ledgerEntries).select('txn_id').sum({ total: 'amount' }).groupBy('txn_id').havingRaw('sum(amount) <> 0'));
  for (const r of unbalanced) add('unbalanced_transaction', r.txn_id, 0, r.total);

  const receipts = await db(T.receipts).select('id', 'amount_sats', 'livemode', 'checkout_session_id').where({ status: 'credited' });
  const postings = await rows<{ receipt_id: string; type: string; credited: string | null }>(db(`${T.ledgerTransactions} as t`)
    .join(`${T.ledgerEntries} as e`, 'e.txn_id', 't.id')
    .select('t.receipt_id', 't.type').sum({ credited: db.raw('case when e.amount > 0 then e.amount else 0 end') })
    .whereNotNull('t.receipt_id').groupBy('t.receipt_id', 't.type'));
  const byReceipt = new Map<string, Record<string, bigint>>();
  for (const p of postings) {
    const m = byReceipt.get(p.receipt_id) ?? {};
    m[p.type] = BigInt(p.credited ?? 0);
    byReceipt.set(p.receipt_id, m);
  }
  const receivedByMode = { true: 0n, false: 0n } as Record<string, bigint>;
  for (const r of receipts) {
    const gross = BigInt(r.amount_sats);
    receivedByMode[String(r.livemode)] += gross;
    const m = byReceipt.get(r.id) ?? {};
    if ((m.payment ?? 0n) !== gross) add('receipt_not_posted_at_gross', r.id, gross, m.payment ?? 0n);
    const outflows = (m.platform_fee ?? 0n) + (m.affiliate_fee ?? 0n) + (m.transfer ?? 0n);
    if (outflows > gross) add('split_exceeds_gross', r.id, `<= ${gross}`, outflows);
  }

  // What left the platform (payouts, refunds and their network fees): received − sent is what the accounts hold.
  const sentRows = await rows<{ livemode: boolean; sent: string | null }>(db(`${T.ledgerEntries} as e`).join(`${T.ledgerTransactions} as t`, 't.id', 'e.txn_id')
    .select('e.livemode').sum({ sent: 'e.amount' }).where('e.account_id', EXTERNAL_ACCOUNT_ID).whereIn('t.type', MONEY_OUT_TYPES).groupBy('e.livemode'));
  const sentByMode = { true: 0n, false: 0n } as Record<string, bigint>;
  for (const s of sentRows) sentByMode[String(s.livemode)] = BigInt(s.sent ?? 0);

  // Per account: platform-held (every custody but the merchant's own wallet) and own-wallet sums.
  const balances = await rows<{ account_id: string; livemode: boolean; total: string | null; wallet: string | null }>(
    db(T.ledgerEntries).select('account_id', 'livemode').sum({ total: db.raw("case when custody = 'merchant_wallet' then 0 else amount end") })
      .sum({ wallet: db.raw("case when custody = 'merchant_wallet' then amount else 0 end") }).groupBy('account_id', 'livemode'));
  const heldByMode = { true: 0n, false: 0n } as Record<string, bigint>;
  for (const b of balances) {
    const total = BigInt(b.total ?? 0) + BigInt(b.wallet ?? 0);
    const mode = String(b.livemode);
    if (b.account_id === EXTERNAL_ACCOUNT_ID) {
      const expected = sentByMode[mode] - receivedByMode[mode];
      if (total !== expected) add('external_balance', `${b.account_id}:${b.livemode}`, expected, total);
      continue;
    }
    if (BigInt(b.total ?? 0) < 0n) add('negative_balance', `${b.account_id}:${b.livemode}`, '>= 0', b.total);
    heldByMode[mode] += total;
  }
  const running = await db(T.accountBalances).select('account_id', 'livemode', 'balance', 'merchant_wallet') as RunningBalance[];
  diffs.push(...runningBalanceDifferences(balances, running));
  for (const mode of ['true', 'false']) {
    if (heldByMode[mode] !== receivedByMode[mode] - sentByMode[mode]) {
      add('balances_vs_receipts', `livemode=${mode}`, receivedByMode[mode] - sentByMode[mode], heldByMode[mode]);
    }
  }

  const sessionTotals = await rows<{ id: string; target_amount_paid: string; received: string | null }>(db(`${T.sessions} as s`)
    .leftJoin(`${T.receipts} as r`, function joinCredited() { this.on('r.checkout_session_id', 's.id').andOnVal('r.status', 'credited'); })
    .select('s.id', 's.target_amount_paid').sum({ received: 'r.amount_sats' }).groupBy('s.id', 's.target_amount_paid'));
  for (const s of sessionTotals) {
    if (BigInt(s.target_amount_paid) !== BigInt(s.received ?? 0)) add('session_total', s.id, s.received ?? 0, s.target_amount_paid);
  }

  const stuck = await db(T.transfers).select('id', 'amount').where({ status: 'pending' }).andWhere('created', '<', now - STUCK_TRANSFER_MS);
  for (const t of stuck) add('transfer_stuck_pending', t.id, 'paid', 'pending');
  const failed = await db(T.transfers).select('id', 'failure_reason').where({ status: 'failed' });
  for (const t of failed) add('transfer_failed', t.id, 'paid', `failed: ${t.failure_reason ?? 'no reason'}`);
  // Money stored but not credited for this long means its session's workflow is stuck or never got it.
  const uncredited = await db(T.receipts).select('id', 'checkout_session_id', 'amount_sats').where({ status: 'received' }).andWhere('created', '<', now - STUCK_RECEIPT_MS);
  for (const r of uncredited) add('receipt_uncredited', `${r.id} (${r.checkout_session_id}, ${r.amount_sats} sats)`, 'credited', 'received');
  // A money-out row whose workflow Temporal never confirmed holds its reservation with nothing to end it:
  // the worker's money-out starter starts these after MONEY_OUT_START_CHECK_MS, so one this old means
  // no worker runs the starter, or Temporal has been unreachable all along.
  const unstartedBefore = now - STUCK_MONEY_OUT_START_MS;
  for (const [kind, list] of [['payout', await unstartedPayouts(db, unstartedBefore, REPORT_LIMIT)], ['refund', await unstartedRefunds(db, unstartedBefore, REPORT_LIMIT)],
    ['withdrawal_link', await unstartedWithdrawalLinks(db, unstartedBefore, REPORT_LIMIT)]] as const) {
    for (const row of list) add('money_out_workflow_not_started', `${row.id} (${kind})`, 'started', 'not started');
  }
  // Every reservation belongs to a payout, withdrawal link or refund in flight, and a final one holds none.
  diffs.push(...await reservationDifferences(db));
  return diffs;
}

/**
 * Compares the running balance of every (account, mode) with the sum of its entries, both ways: a
 * missing row counts as 0, and the external counterparty has none by design.
 */
function runningBalanceDifferences(
  derived: { account_id: string; livemode: boolean; total: string | null; wallet: string | null }[],
  running: RunningBalance[],
): Difference[] {
  // [platform-held from entries, kept; own-wallet from entries, kept]
  const totals = new Map<string, [bigint, bigint, bigint, bigint]>();
  const at = (accountId: string, livemode: boolean) => {
    const key = `${accountId}:${livemode}`;
    if (!totals.has(key)) totals.set(key, [0n, 0n, 0n, 0n]);
    return totals.get(key)!;
  };
  for (const d of derived) {
    if (d.account_id === EXTERNAL_ACCOUNT_ID) continue;
    const t = at(d.account_id, d.livemode);
    t[0] = BigInt(d.total ?? 0);
    t[2] = BigInt(d.wallet ?? 0);
  }
  for (const r of running) {
    const t = at(r.account_id, r.livemode);
    t[1] = BigInt(r.balance);
    t[3] = BigInt(r.merchant_wallet ?? 0);
  }
  const out: Difference[] = [];
  for (const [subject, [held, kept, wallet, keptWallet]] of totals) {
    if (held !== kept) out.push({ kind: 'running_balance', subject, expected: String(held), actual: String(kept) });
    if (wallet !== keptWallet) out.push({ kind: 'running_wallet_balance', subject, expected: String(wallet), actual: String(keptWallet) });
  }
  return out;
}

interface RunningBalance { account_id: string; livemode: boolean; balance: string; merchant_wallet?: string }

/** Proof of reserves in one mode: what accounts hold on the platform against what its node can spend. */
export interface ReserveProof {
  /** Sum of every account's platform-held balance (reserved included: it has not left yet). */
  liabilities: bigint;
  channelsLocal: bigint;
  walletConfirmed: bigint;
  /** (channels + wallet) / liabilities, as a decimal string with 4 places; null when nothing is owed. */
  ratio: string | null;
  solvent: boolean;
}

/** Compares the live platform-held balances with the node's spendable funds (channels' local + confirmed wallet). */
export async function proveReserves(db: DbOrTx, node: { funds(): Promise<NodeFunds> }): Promise<ReserveProof> {
  const [row] = await db(T.accountBalances).where({ livemode: true }).sum({ total: 'balance' });
  const liabilities = BigInt((row as { total?: string | null })?.total ?? 0);
  const { channelsLocal, walletConfirmed } = await node.funds();
  const assets = channelsLocal + walletConfirmed;
  const ratio = liabilities === 0n ? null : `${assets / liabilities}.${String(((assets % liabilities) * 10_000n) / liabilities).padStart(4, '0')}`;
  return { liabilities, channelsLocal, walletConfirmed, ratio, solvent: assets >= liabilities };
}

/** Aggregate queries lose their row types in knex's typings; name them here. */
async function rows<R>(query: PromiseLike<unknown>): Promise<R[]> {
  return (await query) as R[];
}
