import type { Knex } from 'knex';
import { extendedKeyMaterial } from '../../bitcoin/extendedKey';

/**
 * An on-chain address belongs to exactly one session (so one account and one mode), by construction:
 *
 * - `account_xpubs`: the key material (chain code + public key) of every live key an account was ever
 *   given, owned by that account alone. Two accounts with one key (even spelled xpub and zpub) would
 *   derive the same addresses; a key stays its first account's after a change, because its addresses
 *   were handed out under that account.
 * - `onchain_addresses`: who owns an address: the session it was first handed to (a renewal of that
 *   session keeps it, no other session can take it). A payment's (address, session) must be a row here
 *   (foreign key), and the watcher finds a payment by an address only through it.
 * - `receipt_conflicts`: money whose reference is already recorded for another payment, recorded once
 *   (the watcher sees it again at every poll; it logs the first time only).
 *
 * Existing data: the first payment handed an address (oldest, then lowest seq) makes its session the owner;
 * the payments of other sessions sharing it (before this rule) are left as they are, not validated by the
 * foreign key, and no longer matched by the watcher. The oldest account with a key keeps it; a later
 * account with the same key keeps its xpub (its next addresses skip those owned by another session).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create table account_xpubs (
      key_material varchar(200) primary key,
      account_id varchar(255) not null references accounts(id),
      created bigint not null
    )`);
  await knex.raw('create index account_xpubs_account on account_xpubs (account_id)');
  const accounts: { id: string; xpub_live: string; created: string }[] = await knex('accounts').select('id', 'xpub_live', 'created')
    .whereNotNull('xpub_live').orderBy([{ column: 'created' }, { column: 'id' }]);
  for (const a of accounts) {
    let material: string;
    try {
      material = extendedKeyMaterial(a.xpub_live);
    } catch {
      continue; // not a key we could have derived from; nothing to reserve
    }
    await knex('account_xpubs').insert({ key_material: material, account_id: a.id, created: a.created }).onConflict('key_material').ignore();
  }

  await knex.raw(`
    create table onchain_addresses (
      address varchar(255) primary key,
      account_id varchar(255) not null,
      livemode boolean not null,
      checkout_session_id varchar(255) not null, -- claimed before the session's row is written (creation)
      created bigint not null,
      unique (address, checkout_session_id)
    )`);
  await knex.raw(`
    insert into onchain_addresses (address, account_id, livemode, checkout_session_id, created)
    select distinct on (onchain_address) onchain_address, account_id, livemode, checkout_session_id, created
    from payments where onchain_address is not null
    order by onchain_address, created, seq, id`);
  // NOT VALID: enforced for every new payment, not checked on the rows of sessions that shared an address before.
  await knex.raw(`
    alter table payments add constraint payments_address_owner foreign key (onchain_address, checkout_session_id)
    references onchain_addresses (address, checkout_session_id) not valid`);

  await knex.raw(`
    create table receipt_conflicts (
      reference varchar(255) not null,
      payment_id varchar(255) not null,
      stored_payment_id varchar(255) not null,
      created bigint not null,
      primary key (reference, payment_id)
    )`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop table if exists receipt_conflicts');
  await knex.raw('alter table payments drop constraint if exists payments_address_owner');
  await knex.raw('drop table if exists onchain_addresses');
  await knex.raw('drop table if exists account_xpubs');
}
