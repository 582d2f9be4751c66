import type { Knex } from 'knex';

/** Accounts, keys, idempotency, checkout sessions, payments, receipts and events. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('accounts', (t) => {
    t.string('id').primary();
    t.string('name').notNullable();
    t.string('kind').notNullable().defaultTo('merchant'); // merchant | platform
    t.string('affiliate_account_id').references('accounts.id');
    t.decimal('affiliate_percentage', 5, 2);
    t.decimal('amount_paid_tolerance', 4, 2).notNullable().defaultTo(1);
    t.text('xpub_live');
    t.text('xpub_test');
    t.integer('next_address_index_live').notNullable().defaultTo(0);
    t.integer('next_address_index_test').notNullable().defaultTo(0);
    t.bigInteger('created').notNullable();
    t.bigInteger('modified').notNullable();
  });
  await knex.schema.createTable('api_keys', (t) => {
    t.string('id').primary();
    t.string('account_id').notNullable().references('accounts.id');
    t.boolean('livemode').notNullable();
    t.string('key_hash').notNullable().unique();
    t.string('key_hint').notNullable();
    t.bigInteger('created').notNullable();
  });
  await knex.schema.createTable('idempotency_keys', (t) => {
    t.string('owner').notNullable(); // account id + mode, or "admin"
    t.string('key').notNullable();
    t.string('request_hash').notNullable();
    t.string('seed').notNullable();
    t.integer('response_status');
    t.jsonb('response_body');
    t.bigInteger('created').notNullable();
    t.primary(['owner', 'key']);
  });
  await knex.schema.createTable('checkout_sessions', (t) => {
    t.string('id').primary();
    t.string('account_id').notNullable().references('accounts.id');
    t.boolean('livemode').notNullable();
    t.string('status').notNullable();
    t.string('currency').notNullable();
    t.decimal('amount', 30, 8);
    t.jsonb('definition').notNullable(); // the validated create request, defaults applied
    t.decimal('amount_paid', 38, 18).notNullable().defaultTo(0);
    t.bigInteger('target_amount_paid').notNullable().defaultTo(0);
    t.bigInteger('target_amount_due');
    t.string('exception_status');
    t.string('payment_id');
    t.jsonb('customer_details');
    t.string('link_id');
    t.integer('version').notNullable().defaultTo(0);
    t.bigInteger('created').notNullable();
    t.bigInteger('modified').notNullable();
    t.index(['account_id', 'livemode', 'created', 'id']);
    t.index(['link_id']);
  });
  await knex.schema.createTable('payments', (t) => {
    t.string('id').primary();
    t.string('checkout_session_id').notNullable().references('checkout_sessions.id');
    t.string('account_id').notNullable();
    t.boolean('livemode').notNullable();
    t.integer('seq').notNullable();
    t.string('currency').notNullable();
    t.decimal('amount', 30, 8).notNullable();
    t.decimal('exchange_rate', 30, 8).notNullable();
    t.bigInteger('target_amount').notNullable();
    t.string('status').notNullable();
    t.text('payment_request');
    t.string('payment_hash').unique();
    t.string('onchain_address').unique();
    t.integer('address_index');
    t.bigInteger('received_sats').notNullable().defaultTo(0);
    t.decimal('amount_paid', 38, 18).notNullable().defaultTo(0);
    t.bigInteger('expires_at').notNullable();
    t.bigInteger('created').notNullable();
    t.bigInteger('modified').notNullable();
    t.unique(['checkout_session_id', 'seq']);
    t.index(['account_id', 'livemode', 'created', 'id']);
  });
  await knex.schema.createTable('receipts', (t) => {
    t.string('id').primary();
    t.string('reference').notNullable().unique(); // txid:vout or the Lightning payment hash
    t.string('payment_id').notNullable().references('payments.id');
    t.string('checkout_session_id').notNullable();
    t.string('account_id').notNullable();
    t.boolean('livemode').notNullable();
    t.string('method').notNullable();
    t.bigInteger('amount_sats').notNullable();
    t.string('status').notNullable().defaultTo('received'); // received | credited
    t.string('flag'); // null | overpaid | late
    t.bigInteger('created').notNullable();
    t.bigInteger('credited_at');
    t.index(['status', 'created']);
  });
  await knex.schema.createTable('events', (t) => {
    t.string('id').primary();
    t.specificType('seq', 'bigserial').notNullable().unique();
    t.string('dedupe_key').notNullable().unique();
    t.string('account_id').notNullable();
    t.boolean('livemode').notNullable();
    t.string('event_type').notNullable();
    t.string('object_id').notNullable();
    t.jsonb('data').notNullable();
    t.bigInteger('created').notNullable();
    t.index(['account_id', 'livemode', 'seq']);
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['events', 'receipts', 'payments', 'checkout_sessions', 'idempotency_keys', 'api_keys', 'accounts']) {
    await knex.schema.dropTableIfExists(table);
  }
}
