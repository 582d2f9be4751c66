import type { Knex } from 'knex';
import type { RegtestNetwork } from '../test/support/regtest/network';
import { expectedSplit } from './expected';
import type { LiveAccount, MoneyOut, RegtestLog } from './regtestTraffic';

/** Final statuses of each kind of money out, and the one that means "paid". */
const TABLE = { payout: 'payouts', withdrawal_link: 'withdrawal_links', refund: 'refunds' } as const;
const PAID = { payout: 'paid', withdrawal_link: 'paid', refund: 'succeeded' } as const;
const IN_FLIGHT = { payout: ['unpaid'], withdrawal_link: ['active', 'processing'], refund: ['pending'] } as const;

interface NodePayment { payment_hash: string; status: string; value_sat?: string; fee_msat?: string }

/** What the database and the two nodes say at the end, read in one go. */
export interface RegtestObserved {
  /** Receipts per session: amount, status, chain reference (payment hash, or txid:vout). */
  receipts: Map<string, { id: string; amount: bigint; status: string; reference: string }[]>;
  sessions: Map<string, { status: string; target_amount_paid: string }>;
  /** Per money-out object: its status and fee as stored. */
  out: Map<string, { status: string; fee: bigint }>;
  /** Live ledger balance (platform-held, reserved included) and reservation of every account. */
  balances: Map<string, { balance: bigint; reserved: bigint }>;
  /** The platform node's own records of its outgoing payments (`lncli listpayments`). */
  platformPayments: NodePayment[];
  /** The node's funds: channels' local balance (+ unsettled) and confirmed on-chain wallet. */
  node: { channelsLocal: bigint; walletConfirmed: bigint };
}

export async function observeRegtest(db: Knex, net: RegtestNetwork, log: RegtestLog): Promise<RegtestObserved> {
  const ids = log.sessions.map((s) => s.id);
  // Every live receipt, not only the paid sessions': one the harness never paid for is a failure too.
  const receiptRows = await db('receipts').select('id', 'checkout_session_id', 'amount_sats', 'status', 'reference').where({ livemode: true }) as
    { id: string; checkout_session_id: string; amount_sats: string; status: string; reference: string }[];
  const receipts = new Map<string, { id: string; amount: bigint; status: string; reference: string }[]>();
  for (const r of receiptRows) {
    receipts.set(r.checkout_session_id, [...receipts.get(r.checkout_session_id) ?? [], { id: r.id, amount: BigInt(r.amount_sats), status: r.status, reference: r.reference }]);
  }
  const sessionRows = await db('checkout_sessions').select('id', 'status', 'target_amount_paid').whereIn('id', ids);
  const out = new Map<string, { status: string; fee: bigint }>();
  for (const o of log.out) {
    const row = await db(TABLE[o.kind]).first('status', 'fee').where({ id: o.id }) as { status: string; fee: string | null } | undefined;
    out.set(o.id, { status: row?.status ?? 'missing', fee: BigInt(row?.fee ?? 0) });
  }
  const balanceRows = await db('account_balances').select('account_id', 'balance', 'reserved').where({ livemode: true }) as { account_id: string; balance: string; reserved: string }[];
  const payments = await net.merchant.get<{ payments?: NodePayment[] }>('/v1/payments?include_incomplete=true&max_payments=100000');
  const channels = await net.merchant.get<{ local_balance?: { sat?: string }; unsettled_local_balance?: { sat?: string } }>('/v1/balance/channels');
  const chain = await net.merchant.get<{ confirmed_balance?: string }>('/v1/balance/blockchain');
  return {
    receipts, out,
    sessions: new Map(sessionRows.map((s: { id: string; status: string; target_amount_paid: string }) => [s.id, s])),
    balances: new Map(balanceRows.map((b) => [b.account_id, { balance: BigInt(b.balance), reserved: BigInt(b.reserved) }])),
    platformPayments: payments.payments ?? [],
    node: {
      channelsLocal: BigInt(channels.local_balance?.sat ?? 0) + BigInt(channels.unsettled_local_balance?.sat ?? 0),
      walletConfirmed: BigInt(chain.confirmed_balance ?? 0),
    },
  };
}

/** At rest: every session's receipt credited, every money-out object final. */
export function regtestQuiescent(o: RegtestObserved, log: RegtestLog): boolean {
  return log.sessions.every((s) => (o.receipts.get(s.id) ?? []).some((r) => r.status === 'credited'))
    && [...o.receipts.values()].flat().every((r) => r.status === 'credited')
    && log.out.every((m) => !(IN_FLIGHT[m.kind] as readonly string[]).includes(o.out.get(m.id)?.status ?? 'unpaid'));
}

/**
 * Sats the node may hold above the platform-held ledger balances: a routing fee is posted on the ledger
 * rounded up to a whole sat from the node's msat, and the node reports its channel balance rounded down,
 * so each Lightning send may leave up to one sat more on the node than the ledger says (docs/chaos.md).
 */
export function custodyTolerance(sends: number): bigint {
  return BigInt(sends) + 1n;
}

/**
 * Nothing lost or doubled, by the nodes' own records and the ledger: each paid session is credited once at
 * what the customer node paid; each money-out object is final as paid, its payment hash paid exactly once
 * by the platform node (one SUCCEEDED payment in its list, no other attempt) and settled once on the
 * receiver node at its amount; the ledger moved its sats out once; every account's balance is the split
 * rule's result minus what it sent and its fees; nothing is left reserved; and custody holds: the node's
 * channels + wallet equal what came in less what went out, and cover the platform-held balances within
 * `custodyTolerance`.
 */
export async function checkRegtest(
  db: Knex, net: RegtestNetwork, o: RegtestObserved, log: RegtestLog, accounts: LiveAccount[], feePercent: string, platformAccount: string,
): Promise<string[]> {
  const failures = log.violations.map((v) => `traffic: ${v}`);
  const expected = new Map<string, bigint>();
  const add = (account: string, sats: bigint) => expected.set(account, (expected.get(account) ?? 0n) + sats);
  let paidIn = 0n;
  for (const s of log.sessions) {
    const receipts = o.receipts.get(s.id) ?? [];
    const ref = receipts[0]?.reference ?? '';
    const sameReference = s.rail === 'lightning' ? ref === s.reference : ref.startsWith(`${s.reference}:`);
    if (receipts.length !== 1 || receipts[0].amount !== s.sats || receipts[0].status !== 'credited' || !sameReference) {
      failures.push(`session ${s.id}: receipts ${JSON.stringify(receipts.map((r) => `${r.reference}/${r.amount}/${r.status}`))}, `
        + `the customer node paid ${s.sats} once (${s.rail} ${s.reference})`);
    }
    const row = o.sessions.get(s.id);
    if (row?.status !== 'paid' || BigInt(row.target_amount_paid) !== s.sats) failures.push(`session ${s.id}: ${row?.status} with ${row?.target_amount_paid} paid, expected paid with ${s.sats}`);
    const split = expectedSplit(s.sats, feePercent, s.transfers.map((t) => t.percentage));
    add(platformAccount, split.fee);
    add(s.merchant.id, split.merchant);
    s.transfers.forEach((t, k) => add(t.destination, split.transfers[k]));
    paidIn += s.sats;
  }

  const paidSessions = new Set(log.sessions.map((s) => s.id));
  for (const [session, receipts] of o.receipts) {
    if (!paidSessions.has(session)) failures.push(`session ${session}: ${receipts.length} live receipt(s) ${receipts.map((r) => r.reference).join(', ')} the harness never paid`);
  }
  failures.push(...await receiptsOnTheNode(db, net, o, log));

  let sentOut = 0n;
  let nodeFeesMsat = 0n;
  for (const m of log.out) {
    const seen = o.out.get(m.id) ?? { status: 'missing', fee: 0n };
    if (seen.status !== PAID[m.kind]) failures.push(`${m.kind} ${m.id}: ${seen.status}, expected ${PAID[m.kind]}`);
    const onNode = o.platformPayments.filter((p) => p.payment_hash === m.paymentHash);
    const succeeded = onNode.filter((p) => p.status === 'SUCCEEDED');
    if (succeeded.length !== 1 || onNode.length !== 1) {
      failures.push(`${m.kind} ${m.id}: the platform node has ${onNode.length} payment(s) of ${m.paymentHash} (${succeeded.length} succeeded), expected exactly one`);
    }
    const invoice = await net.customer.get<{ state: string; amt_paid_sat: string }>(`/v1/invoice/${m.paymentHash}`).catch(() => null);
    if (invoice?.state !== 'SETTLED' || BigInt(invoice.amt_paid_sat) !== m.sats) {
      failures.push(`${m.kind} ${m.id}: the receiver node's invoice is ${invoice?.state} with ${invoice?.amt_paid_sat} paid, expected SETTLED with ${m.sats}`);
    }
    const feeMsat = BigInt(succeeded[0]?.fee_msat ?? 0);
    nodeFeesMsat += feeMsat;
    const nodeFee = (feeMsat + 999n) / 1000n;
    if (seen.fee !== nodeFee) failures.push(`${m.kind} ${m.id}: fee ${seen.fee} on the object, the node paid ${feeMsat} msat`);
    failures.push(...await movedOnce(db, m, seen.fee));
    add(m.account.id, -(m.sats + seen.fee));
    sentOut += m.sats;
  }

  for (const [account, want] of expected) {
    const got = o.balances.get(account);
    if ((got?.balance ?? 0n) !== want) failures.push(`ledger balance of ${account}: ${got?.balance ?? 0n}, expected ${want}`);
  }
  for (const a of accounts) if ((o.balances.get(a.id)?.reserved ?? 0n) !== 0n) failures.push(`account ${a.id}: ${o.balances.get(a.id)?.reserved} sats still reserved`);

  // Custody, the node's balance included: what the node holds is exactly what came in less what went
  // out (its own fee records), and covers every platform-held balance within the fee rounding.
  const assets = o.node.channelsLocal + o.node.walletConfirmed;
  const flows = paidIn - sentOut - nodeFeesMsat / 1000n;
  if (assets < flows - 1n || assets > flows) failures.push(`node funds ${assets} sats (channels ${o.node.channelsLocal} + wallet ${o.node.walletConfirmed}), expected ${flows}: ${paidIn} paid in − ${sentOut} sent − ${nodeFeesMsat} msat fees`);
  const liabilities = [...o.balances.values()].reduce((sum, b) => sum + b.balance, 0n);
  const tolerance = custodyTolerance(log.out.length);
  if (assets < liabilities) failures.push(`custody: the node holds ${assets} sats, the platform-held balances are ${liabilities}`);
  else if (assets - liabilities > tolerance) failures.push(`custody: the node holds ${assets - liabilities} sats more than the platform-held balances (${liabilities}), more than the ${tolerance}-sat fee rounding`);
  return failures;
}

/**
 * Every live receipt by the platform node's own records: a Lightning receipt's reference is an invoice the
 * node settled for exactly its amount, an on-chain receipt's `txid:vout` an output to the node's wallet of
 * exactly its amount in a confirmed transaction; no node payment is behind two receipts; and each receipt
 * moved onto the ledger once (one `payment` transaction of its amount).
 */
async function receiptsOnTheNode(db: Knex, net: RegtestNetwork, o: RegtestObserved, log: RegtestLog): Promise<string[]> {
  const out: string[] = [];
  const invoices = await net.merchant.get<{ invoices?: { r_hash: string; state: string; amt_paid_sat: string }[] }>('/v1/invoices?num_max_invoices=100000');
  const settled = new Map((invoices.invoices ?? []).filter((i) => i.state === 'SETTLED')
    .map((i) => [Buffer.from(i.r_hash, 'base64').toString('hex'), BigInt(i.amt_paid_sat)]));
  const txs = await net.merchant.get<{ transactions?: { tx_hash: string; num_confirmations: number; output_details?: { output_index: string; amount: string; is_our_address: boolean }[] }[] }>('/v1/transactions');
  const outputs = new Map<string, bigint>();
  for (const tx of txs.transactions ?? []) {
    if (tx.num_confirmations < 1) continue;
    for (const d of tx.output_details ?? []) if (d.is_our_address) outputs.set(`${tx.tx_hash}:${d.output_index}`, BigInt(d.amount));
  }
  const rails = new Map(log.sessions.map((s) => [s.id, s.rail]));
  const seen = new Set<string>();
  const all = [...o.receipts.values()].flat();
  for (const [session, receipts] of o.receipts) {
    for (const r of receipts) {
      if (seen.has(r.reference)) out.push(`receipt ${r.id}: reference ${r.reference} credited twice`);
      seen.add(r.reference);
      const onNode = rails.get(session) === 'onchain' ? outputs.get(r.reference) : settled.get(r.reference);
      if (onNode !== r.amount) out.push(`receipt ${r.id} (${r.reference}): ${r.amount} sats, the platform node's records say ${onNode ?? 'nothing'}`);
    }
  }
  const moved = await db('ledger_transactions').select('key').count({ n: '*' }).where({ type: 'payment', livemode: true }).groupBy('key') as { key: string; n: string }[];
  const byKey = new Map(moved.map((m) => [m.key, Number(m.n)]));
  for (const r of all) if (byKey.get(`${r.id}:payment`) !== 1) out.push(`receipt ${r.id}: ${byKey.get(`${r.id}:payment`) ?? 0} ledger payment movements, expected one`);
  if (byKey.size !== all.length) out.push(`${byKey.size} ledger payment movements in live mode for ${all.length} receipts`);
  return out;
}

/** Exactly one ledger movement took the object's sats out of its account, and at most one its fee. */
async function movedOnce(db: Knex, m: MoneyOut, fee: bigint): Promise<string[]> {
  const rows = await db('ledger_entries as e').join('ledger_transactions as t', 't.id', 'e.txn_id')
    .where('e.account_id', m.account.id).andWhere('e.livemode', true).andWhere('t.key', 'like', `%${m.id}%`)
    .select('t.type', 'e.amount') as { type: string; amount: string }[];
  const sends = rows.filter((r) => r.type === 'payout' || r.type === 'refund');
  const fees = rows.filter((r) => r.type === 'payout_fee' || r.type === 'refund_fee');
  const out: string[] = [];
  if (sends.length !== 1 || BigInt(sends[0].amount) !== -m.sats) out.push(`${m.kind} ${m.id}: ledger movements ${JSON.stringify(sends)}, expected one of -${m.sats}`);
  const feeMoved = fees.reduce((sum, r) => sum - BigInt(r.amount), 0n);
  if (fees.length > 1 || feeMoved !== fee) out.push(`${m.kind} ${m.id}: fee movements ${JSON.stringify(fees)}, expected ${fee}`);
  return out;
}
