import type { DbOrTx } from './knex';
import { T } from './tables';

/** Who an on-chain address was handed to: one session, hence one account and one mode. */
export interface AddressOwner {
  address: string;
  account_id: string;
  livemode: boolean;
  checkout_session_id: string;
}

/**
 * Claims `address` for a session, or finds it already claimed. True when the session owns it (now or from
 * an earlier payment of the same session: a renewal keeps its address); false when another session does,
 * and then the caller must not use it. One statement, so two concurrent claims cannot both win.
 */
export async function claimAddress(db: DbOrTx, owner: AddressOwner, now: number): Promise<boolean> {
  await db(T.onchainAddresses).insert({ ...owner, created: now }).onConflict('address').ignore();
  const row: { checkout_session_id: string } | undefined = await db(T.onchainAddresses).select('checkout_session_id').where({ address: owner.address }).first();
  return row?.checkout_session_id === owner.checkout_session_id;
}

/**
 * Reserves an extended key's material for an account. True when the account owns it (now or since an
 * earlier time); false when another account does. A key stays its account's after a change, because
 * the addresses it derived were handed out under that account.
 */
export async function claimAccountXpub(db: DbOrTx, keyMaterial: string, accountId: string, now: number): Promise<boolean> {
  await db(T.accountXpubs).insert({ key_material: keyMaterial, account_id: accountId, created: now }).onConflict('key_material').ignore();
  const row: { account_id: string } | undefined = await db(T.accountXpubs).select('account_id').where({ key_material: keyMaterial }).first();
  return row?.account_id === accountId;
}
