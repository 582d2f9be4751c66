import type { Knex } from 'knex';

/** The double-entry ledger (balance transactions + entries) and split transfers. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('ledger_transactions', (t) => {
    t.string('id').primary();
    t.string('key').notNullable().unique(); // one movement per key: retries post nothing twice
    t.string('type').notNullable(); // payment | platform_fee | affiliate_fee | transfer
    t.boolean('livemode').notNullable();
    t.string('receipt_id');
    t.string('transfer_id');
    t.string('checkout_session_id');
    t.string('description');
    t.bigInteger('created').notNullable();
  });
  await knex.schema.createTable('ledger_entries', (t) => {
    t.bigIncrements('id');
    t.string('txn_id').notNullable().references('ledger_transactions.id');
    t.string('account_id').notNullable().references('accounts.id');
    t.boolean('livemode').notNullable();
    t.bigInteger('amount').notNullable(); // signed sats: + credit, - debit; each transaction sums to 0
    t.bigInteger('created').notNullable();
    t.index(['account_id', 'livemode', 'created']);
    t.index(['txn_id']);
  });
  await knex.schema.createTable('transfers', (t) => {
    t.string('id').primary();
    t.string('key').notNullable().unique(); // {payment}:{receipt}:{index}
    t.string('receipt_id').notNullable();
    t.string('checkout_session_id').notNullable();
    t.string('source_account_id').notNullable().references('accounts.id');
    t.string('destination_account_id').notNullable().references('accounts.id');
    t.boolean('livemode').notNullable();
    t.integer('index').notNullable();
    t.bigInteger('amount').notNullable();
    t.decimal('percentage', 5, 2).notNullable();
    t.string('description');
    t.string('status').notNullable(); // pending | paid | failed
    t.bigInteger('created').notNullable();
    t.bigInteger('modified').notNullable();
    t.index(['source_account_id', 'livemode', 'created', 'id']);
    t.index(['destination_account_id', 'livemode', 'created', 'id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['transfers', 'ledger_entries', 'ledger_transactions']) await knex.schema.dropTableIfExists(table);
}
