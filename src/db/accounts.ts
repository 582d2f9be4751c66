import type { DbOrTx } from './knex';
import { queryPrepared } from './prepared';
import { T } from './tables';

/** An account row as the code uses it (decimals as strings). */
export interface AccountRow {
  id: string;
  name: string;
  kind: 'merchant' | 'platform' | 'external';
  affiliate_account_id: string | null;
  affiliate_percentage: string | null;
  amount_paid_tolerance: string;
  xpub_live: string | null;
  xpub_test: string | null;
  /** Where live on-chain receipts settle: the platform node's wallet, or the merchant's xpub (docs/custody.md). */
  onchain_settlement: OnchainSettlement;
  /** The currency the dashboard shows revenue in besides sats (a supported currency code). */
  display_currency: string;
  created: string;
  modified: string;
}

const COLUMNS = ['id', 'name', 'kind', 'affiliate_account_id', 'affiliate_percentage', 'amount_paid_tolerance',
  'xpub_live', 'xpub_test', 'onchain_settlement', 'display_currency', 'created', 'modified'];

export type OnchainSettlement = 'platform' | 'merchant_wallet';

/** The platform's own account: fees are credited here. */
export const PLATFORM_ACCOUNT_ID = 'acct_platform';

/** Inserts an account unless one with its ID exists; returns the stored row either way. */
export async function insertAccount(db: DbOrTx, row: AccountRow): Promise<AccountRow> {
  await db(T.accounts).insert(row).onConflict('id').ignore();
  return (await findAccount(db, row.id))!;
}

export async function findAccount(db: DbOrTx, id: string): Promise<AccountRow | undefined> {
  return db(T.accounts).select(COLUMNS).where({ id }).first();
}

/** Updates an account's columns; returns the stored row. */
export async function updateAccountRow(db: DbOrTx, id: string, changes: Partial<AccountRow>): Promise<AccountRow> {
  await db(T.accounts).where({ id }).update(changes);
  return (await findAccount(db, id))!;
}

/**
 * The account and, among `destinationIds`, those it may send transfers to: merchant accounts with an
 * active transfer connection from it (docs/transfers.md). One statement: every create runs it.
 */
export async function findAccountWithDestinations(
  db: DbOrTx, id: string, destinationIds: string[],
): Promise<{ account: AccountRow; destinations: Set<string> } | undefined> {
  const [row] = await queryPrepared<AccountRow & { destination_ids: string[] }>(db, ACCOUNT_WITH_DESTINATIONS, [id, destinationIds, id]);
  if (!row) return undefined;
  const { destination_ids: destinations, ...account } = row;
  return { account, destinations: new Set(destinations) };
}

const ACCOUNT_WITH_DESTINATIONS = {
  name: 'account_with_destinations_v2',
  text: `select ${COLUMNS.join(', ')},
      array(select c.destination_account_id from ${T.transferConnections} c
        join ${T.accounts} m on m.id = c.destination_account_id and m.kind = 'merchant'
        where c.source_account_id = ? and c.destination_account_id = any(?) and c.revoked_at is null) as destination_ids
    from ${T.accounts} where id = ?`,
};

/** IDs among `ids` that are merchant accounts (the platform and external accounts are not). */
export async function merchantAccountIds(db: DbOrTx, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows: { id: string }[] = await db(T.accounts).select('id').whereIn('id', ids).andWhere({ kind: 'merchant' });
  return new Set(rows.map((r) => r.id));
}

/**
 * Reserves the account's next unused receive-address index in one mode (atomic), in one statement with
 * the xpub it derives from; null when the account has no xpub for the mode (no index is taken then).
 */
export async function allocateAddress(db: DbOrTx, accountId: string, livemode: boolean): Promise<{ index: number; xpub: string } | null> {
  const [row] = await queryPrepared<{ next_index: string; xpub: string }>(db, livemode ? ALLOCATE_ADDRESS.live : ALLOCATE_ADDRESS.test, [accountId]);
  return row ? { index: Number(row.next_index) - 1, xpub: row.xpub } : null;
}

const allocateIn = (mode: 'live' | 'test') => ({
  name: `allocate_address_${mode}_v1`,
  text: `update ${T.accounts} set next_address_index_${mode} = next_address_index_${mode} + 1
    where id = ? and xpub_${mode} is not null returning next_address_index_${mode} as next_index, xpub_${mode} as xpub`,
});
const ALLOCATE_ADDRESS = { live: allocateIn('live'), test: allocateIn('test') };

/** Total number of merchant accounts (used to decide whether to make the demo account). */
export async function countMerchantAccounts(db: DbOrTx): Promise<number> {
  const [{ count }] = await db(T.accounts).where({ kind: 'merchant' }).count({ count: '*' });
  return Number(count);
}
