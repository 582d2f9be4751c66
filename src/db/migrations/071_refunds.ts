import type { Knex } from 'knex';

/**
 * Refunds of a checkout session (or one of its payments), paid as a withdrawal link (the default) or to
 * a Lightning invoice the merchant gives. The session's refund totals live on its row, moved only by a
 * refund's own transactions (never by the session's workflow, whose state columns they are not): a
 * refund counts from create (so two refunds at once cannot exceed what was received) and stops counting
 * when it fails or is canceled.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('refunds', (t) => {
    t.string('id').primary();
    t.string('account_id').notNullable().references('accounts.id');
    t.boolean('livemode').notNullable();
    t.string('checkout_session_id').notNullable().references('checkout_sessions.id');
    t.string('payment_id');
    t.string('status').notNullable(); // pending → succeeded | failed | canceled
    t.string('type').notNullable(); // full | partial | excess
    t.string('currency').notNullable(); // the session's
    t.decimal('amount', 40, 16).notNullable(); // in `currency`
    t.string('rate').notNullable(); // original | current
    t.decimal('exchange_rate', 40, 8).notNullable(); // sats per unit of `currency` used
    t.bigInteger('target_amount').notNullable(); // sats refunded to the customer
    t.boolean('reverse_transfers').notNullable();
    t.jsonb('transfer_reversals').notNullable(); // [{ account, amount }] taken back from split recipients
    t.string('withdraw_method').notNullable(); // withdrawal_link | lightning
    t.text('withdraw_request'); // the BOLT11 invoice of a `lightning` refund
    t.string('payment_hash', 64).unique(); // of a `lightning` refund: the send's key
    t.bigInteger('fee_limit');
    t.bigInteger('fee');
    t.string('withdrawal_link_id');
    t.text('failure_reason');
    t.string('reason');
    t.jsonb('metadata');
    t.bigInteger('created').notNullable();
    t.bigInteger('modified').notNullable();
    t.index(['account_id', 'livemode', 'created', 'id']);
    t.index(['checkout_session_id']);
    t.check(`status in ('pending', 'succeeded', 'failed', 'canceled')`, [], 'refunds_status');
  });
  await knex.raw(`alter table checkout_sessions
    add column amount_refunded numeric(40, 16) not null default 0,
    add column target_amount_refunded bigint not null default 0`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('alter table checkout_sessions drop column amount_refunded, drop column target_amount_refunded');
  await knex.schema.dropTableIfExists('refunds');
}
