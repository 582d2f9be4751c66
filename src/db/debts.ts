import { idFromSeed } from '../domain/ids';
import { accountFunds } from './funds';
import type { DbOrTx } from './knex';
import { postLedgerTransaction, type LedgerTxnType } from './ledger';
import { T } from './tables';
import { columnsOf } from './columns';

/** What a debt is for: a fee or transfer of an own-wallet receipt, or a custody correction of an old ledger. */
export type DebtKind = 'platform_fee' | 'affiliate_fee' | 'transfer' | 'custody_correction';

/** A debt: part of an own-wallet receipt's fees or transfers not yet covered by the debtor's platform-held money. */
export interface DebtRow {
  id: string;
  key: string;
  debtor_account_id: string;
  creditor_account_id: string;
  livemode: boolean;
  kind: DebtKind;
  receipt_id: string | null;
  transfer_id: string | null;
  checkout_session_id: string | null;
  /** Order within one receipt (same `created`): fees first, then transfers in array order. */
  position: number;
  amount: string;
  recovered: string;
  created: string;
  modified: string;
}

/** Every column of `account_debts`, as DebtRow names them. */
export const DEBT_COLUMNS = columnsOf<DebtRow>()([
  'id', 'key', 'debtor_account_id', 'creditor_account_id', 'livemode', 'kind', 'receipt_id', 'transfer_id',
  'checkout_session_id', 'position', 'amount', 'recovered', 'created', 'modified',
]);

/** Records a debt unless its key exists (a retried credit records nothing twice). */
export async function recordDebt(tx: DbOrTx, d: Omit<DebtRow, 'id' | 'recovered' | 'modified'>): Promise<void> {
  await tx(T.accountDebts).insert({ ...d, id: idFromSeed('debt', d.key), recovered: '0', modified: d.created }).onConflict('key').ignore();
}

/** A debt recovered in full by {@link recoverDebts}: its transfer (if any) is now paid. */
export interface RecoveredDebt { debt: DebtRow; transferId: string | null }

/**
 * Pays the debtor's open debts, oldest first, out of its available platform-held money (after what
 * payouts have reserved and its pending transfers need), in the caller's transaction. A debt may be
 * recovered in several parts: each part is one ledger movement debtor → creditor keyed by
 * `debt:{id}:{recovered before}`, so a retried recovery under the same lock posts nothing twice.
 * A transfer's share reaches the recipient only here, as platform-held money: a recipient's balance
 * never counts sats that sit in the debtor's own wallet. Returns the debts recovered in full.
 */
export async function recoverDebts(tx: DbOrTx, accountId: string, livemode: boolean, now: number): Promise<RecoveredDebt[]> {
  const open: DebtRow[] = await tx(T.accountDebts).select(DEBT_COLUMNS).where({ debtor_account_id: accountId, livemode })
    .whereRaw('recovered < amount').orderBy([{ column: 'created' }, { column: 'position' }, { column: 'id' }]).forUpdate();
  if (open.length === 0) return [];
  const funds = await accountFunds(tx, accountId, livemode, { forUpdate: true });
  // `available` already subtracts the debts themselves; what recovers them is the money before that.
  let free = funds.balance - funds.reserved - funds.transfersOut;
  const done: RecoveredDebt[] = [];
  for (const d of open) {
    if (free <= 0n) break;
    const recovered = BigInt(d.recovered);
    const remaining = BigInt(d.amount) - recovered;
    const take = remaining < free ? remaining : free;
    const correction = d.kind === 'custody_correction';
    await postLedgerTransaction(tx, {
      key: `debt:${d.id}:${recovered}`, type: d.kind as LedgerTxnType, livemode, receiptId: d.receipt_id ?? undefined,
      transferId: d.transfer_id ?? undefined, sessionId: d.checkout_session_id ?? undefined, now, custody: 'platform',
      description: correction ? 'Settled to the merchant wallet (custody correction)' : `Recovered from the platform-held balance (${d.kind})`,
      entries: [{ accountId, amount: -take },
        // A custody correction moves the sats to the account's own-wallet column; a fee or transfer to the creditor.
        { accountId: d.creditor_account_id, amount: take, custody: correction ? 'merchant_wallet' : 'platform' }],
    });
    await tx(T.accountDebts).where({ id: d.id }).update({ recovered: (recovered + take).toString(), modified: now });
    free -= take;
    if (take === remaining) done.push({ debt: d, transferId: d.transfer_id });
  }
  return done;
}

/** Open debts of an account (oldest first), for `GET /balances` and reconcile. */
export async function openDebts(db: DbOrTx, accountId: string, livemode: boolean): Promise<DebtRow[]> {
  return db(T.accountDebts).select(DEBT_COLUMNS).where({ debtor_account_id: accountId, livemode }).whereRaw('recovered < amount')
    .orderBy([{ column: 'created' }, { column: 'position' }, { column: 'id' }]);
}
