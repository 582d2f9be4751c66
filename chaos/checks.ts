import type { Knex } from 'knex';
import { expectedBalances, expectedSplit } from './expected';
import type { ApiClient } from './http';
import type { WebhookReceiver } from './receiver';
import type { Account, TrafficLog } from './traffic';
import { ledgerKeyPattern, type MoneyOutLog } from './moneyOut';

/** What the database holds for the run's accounts, read in one go. */
export interface Observed {
  receipts: { id: string; checkout_session_id: string; amount_sats: string; status: string }[];
  sessions: Map<string, { status: string; target_amount_paid: string }>;
  transfers: { receipt_id: string; index: number; amount: string; status: string; destination_account_id: string }[];
  ledger: Map<string, bigint>;
  /** Events each endpoint should have received (created after the endpoint was). */
  events: string[];
  /** The run's payouts and refunds: status, fee, and the sats their ledger movements took from the account. */
  moneyOut: Map<string, { status: string; fee: bigint; moved: bigint }>;
  /** Sats still reserved per account (test mode). */
  reserved: Map<string, bigint>;
}

export async function observe(db: Knex, accounts: Account[], out: MoneyOutLog = { objects: [], refused: 0 }): Promise<Observed> {
  const ids = accounts.map((a) => a.id);
  const receipts = await db('receipts').select('id', 'checkout_session_id', 'amount_sats', 'status').whereIn('account_id', ids).andWhere({ livemode: false });
  const sessionRows = await db('checkout_sessions').select('id', 'status', 'target_amount_paid').whereIn('account_id', ids);
  const transfers = await db('transfers').select('receipt_id', 'index', 'amount', 'status', 'destination_account_id').whereIn('source_account_id', ids);
  const ledgerRows = await db('ledger_entries').select('account_id').sum({ total: 'amount' }).where({ livemode: false }).groupBy('account_id') as { account_id: string; total: string }[];
  const events = await db('events as e').join('webhook_endpoints as w', function join() { this.on('w.account_id', 'e.account_id').andOn('w.livemode', 'e.livemode'); })
    .whereIn('e.account_id', ids).andWhereRaw('e.created >= w.created').select('e.id') as { id: string }[];
  const moneyOut = new Map<string, { status: string; fee: bigint; moved: bigint }>();
  for (const o of out.objects) {
    const row = await db(o.kind === 'payout' ? 'payouts' : 'refunds').first('status', 'fee').where({ id: o.id }) as { status: string; fee: string | null } | undefined;
    const [moved] = await db('ledger_entries as e').join('ledger_transactions as t', 't.id', 'e.txn_id')
      .where('e.account_id', o.account.id).andWhere('t.key', 'like', ledgerKeyPattern(o)).sum({ total: 'e.amount' }) as { total: string | null }[];
    moneyOut.set(o.id, { status: row?.status ?? 'missing', fee: BigInt(row?.fee ?? 0), moved: -BigInt(moved?.total ?? 0) });
  }
  const reservedRows = await db('account_balances').select('account_id', 'reserved').whereIn('account_id', ids).andWhere({ livemode: false }) as { account_id: string; reserved: string }[];
  return {
    moneyOut,
    reserved: new Map(reservedRows.map((r) => [r.account_id, BigInt(r.reserved)])),
    receipts,
    sessions: new Map(sessionRows.map((s) => [s.id, s])),
    transfers,
    ledger: new Map(ledgerRows.map((r) => [r.account_id, BigInt(r.total)])),
    events: events.map((e) => e.id),
  };
}

/** Whether the system has come to rest: every receipt credited, no transfer pending, every event delivered. */
export function quiescent(o: Observed, receiver: WebhookReceiver): boolean {
  return o.receipts.every((r) => r.status === 'credited')
    && o.transfers.every((t) => t.status !== 'pending')
    && o.events.every((id) => receiver.verified.has(id))
    && [...o.moneyOut.values()].every((m) => m.status !== 'unpaid' && m.status !== 'pending');
}

/**
 * Every sat accounted for: the database holds exactly the receipts the API accepted, each credited once;
 * each session's total is the sum of its receipts; each (receipt, transfer index) has exactly one
 * transfer of the contract's amount, paid; each account's ledger balance is what the split rule gives and
 * what `GET /balances` shows; every event reached the webhook receiver with a valid signature.
 */
export async function checkInvariants(
  o: Observed, traffic: TrafficLog, receiver: WebhookReceiver, api: ApiClient,
  accounts: Account[], feePercent: string, platformAccount: string, out: MoneyOutLog = { objects: [], refused: 0 },
): Promise<string[]> {
  const failures: string[] = [...traffic.violations.map((v) => `traffic: ${v}`)];
  const sent = new Map(traffic.sessions.flatMap((s) => s.receipts.map((r) => [r.receiptId, r] as const)));
  const stored = new Map(o.receipts.map((r) => [r.id, r]));
  for (const [id, r] of sent) {
    const row = stored.get(id);
    if (!row) failures.push(`lost receipt ${id} (${r.reference}, ${r.amount} sats)`);
    else if (BigInt(row.amount_sats) !== r.amount) failures.push(`receipt ${id}: stored ${row.amount_sats}, sent ${r.amount}`);
    else if (row.status !== 'credited') failures.push(`receipt ${id} not credited (${row.status})`);
  }
  for (const id of stored.keys()) if (!sent.has(id)) failures.push(`receipt ${id} stored but never accepted by the API`);

  for (const s of traffic.sessions) {
    const row = o.sessions.get(s.id);
    const total = s.receipts.reduce((a, r) => a + r.amount, 0n);
    if (!row) failures.push(`session ${s.id} missing`);
    else if (BigInt(row.target_amount_paid) !== total) failures.push(`session ${s.id}: target_amount_paid ${row.target_amount_paid}, receipts sum ${total}`);
    for (const r of s.receipts) {
      const split = expectedSplit(r.amount, feePercent, s.transfers.map((t) => t.percentage));
      const rows = o.transfers.filter((t) => t.receipt_id === r.receiptId);
      for (const t of rows) if (t.index >= s.transfers.length) failures.push(`receipt ${r.receiptId}: transfer index ${t.index} beyond the session's ${s.transfers.length}`);
      split.transfers.forEach((amount, k) => {
        const at = rows.filter((t) => t.index === k);
        if (amount === 0n && at.length === 0) return; // a zero-sat transfer may be skipped
        if (at.length !== 1) return void failures.push(`receipt ${r.receiptId} index ${k}: ${at.length} transfers, expected 1`);
        if (BigInt(at[0].amount) !== amount) failures.push(`receipt ${r.receiptId} index ${k}: transfer of ${at[0].amount}, expected ${amount}`);
        if (at[0].destination_account_id !== s.transfers[k].destination) failures.push(`receipt ${r.receiptId} index ${k}: wrong destination`);
        if (at[0].status !== 'paid') failures.push(`receipt ${r.receiptId} index ${k}: transfer ${at[0].status}`);
      });
    }
  }

  const { balances, received } = expectedBalances(traffic.sessions, feePercent, platformAccount);
  // Money out: each payout/refund ended as its invoice says (paid, or failed for an unroutable one), moved
  // exactly its sats once (test mode's send costs no fee), and nothing stays reserved.
  let sentOut = 0n;
  for (const m of out.objects) {
    const seen = o.moneyOut.get(m.id) ?? { status: 'missing', fee: 0n, moved: 0n };
    const status = seen.status === 'succeeded' ? 'paid' : seen.status;
    if (status !== m.expected) failures.push(`${m.kind} ${m.id}: ${seen.status}, expected ${m.expected}`);
    const moved = m.expected === 'paid' ? m.sats : 0n;
    if (seen.moved !== moved || seen.fee !== 0n) failures.push(`${m.kind} ${m.id}: ledger moved ${seen.moved} sats (fee ${seen.fee}), expected ${moved}`);
    balances.set(m.account.id, (balances.get(m.account.id) ?? 0n) - moved);
    sentOut += moved;
  }
  for (const [account, reserved] of o.reserved) if (reserved !== 0n) failures.push(`account ${account}: ${reserved} sats still reserved with nothing in flight`);
  for (const [account, expected] of balances) {
    const actual = o.ledger.get(account) ?? 0n;
    if (actual !== expected) failures.push(`ledger balance of ${account}: ${actual}, expected ${expected}`);
  }
  const external = [...o.ledger].filter(([a]) => !balances.has(a)).reduce((sum, [, v]) => sum + v, 0n);
  if (external !== sentOut - received) failures.push(`money in from outside: ${-external}, receipts ${received} minus ${sentOut} paid out`);
  for (const account of accounts) {
    const answer = await api.call(account.key, 'GET', '/balances');
    const shown = BigInt(answer.body?.available?.[0]?.amount ?? -1);
    if (shown !== (o.ledger.get(account.id) ?? 0n)) failures.push(`GET /balances of ${account.id}: ${shown}, ledger ${o.ledger.get(account.id) ?? 0n}`);
  }

  const missing = o.events.filter((id) => !receiver.verified.has(id));
  if (missing.length) failures.push(`${missing.length} of ${o.events.length} events never delivered, e.g. ${missing.slice(0, 3).join(', ')}`);
  if (receiver.badSignatures) failures.push(`${receiver.badSignatures} webhook requests failed signature verification`);
  return failures;
}
