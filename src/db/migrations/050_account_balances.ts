import type { Knex } from 'knex';

/**
 * A running balance per (account, mode), kept by `postLedgerTransaction` in the same statement that
 * inserts the entries, so checking a debit costs one row instead of a scan of the account's history.
 * The CHECK makes "never negative" a property of the database, not of the caller. The external
 * counterparty (money from the chain or Lightning) has no row: its balance is minus all receipts and is
 * re-derived by reconcile. Existing ledgers are backfilled from their entries.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create table account_balances (
      account_id varchar(255) not null references accounts(id),
      livemode boolean not null,
      balance bigint not null,
      primary key (account_id, livemode),
      constraint account_balances_non_negative check (balance >= 0)
    )`);
  await knex.raw(`
    insert into account_balances (account_id, livemode, balance)
    select account_id, livemode, sum(amount) from ledger_entries
    where account_id <> 'acct_external' group by account_id, livemode`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('account_balances');
}
