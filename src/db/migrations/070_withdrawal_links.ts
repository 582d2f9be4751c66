import type { Knex } from 'knex';

/**
 * Withdrawal links (LNURL-withdraw, LUD-03): an amount an account hands to someone who has no invoice
 * yet. Its sats are reserved on the account's balance from create until it is paid (then posted) or
 * expires / is deactivated (then released). `k1` is the single-use secret of its withdraw request;
 * `payment_hash` (UNIQUE) is the key of the one Lightning send, what the node is asked about before any
 * resend. `refund_id` names the refund a link was made for (a refund paid by default as a link).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('withdrawal_links', (t) => {
    t.string('id').primary();
    t.string('account_id').notNullable().references('accounts.id');
    t.boolean('livemode').notNullable();
    // active → processing (an invoice claimed it) → paid; processing → active (the send failed); active → expired | deactivated
    t.string('status').notNullable();
    t.string('currency').notNullable();
    t.decimal('amount', 40, 16).notNullable(); // as the merchant gave it, in `currency`
    t.decimal('exchange_rate', 40, 8).notNullable(); // sats per unit of `currency`, locked at create
    t.bigInteger('target_amount').notNullable(); // sats the customer receives
    t.bigInteger('fee_limit').notNullable(); // routing-fee ceiling, reserved with the amount
    t.string('k1', 64).notNullable().unique();
    t.bigInteger('expires_at');
    t.text('description');
    t.string('statement_descriptor');
    t.jsonb('metadata');
    t.string('refund_id');
    t.text('payment_request');
    t.string('payment_hash', 64).unique();
    t.bigInteger('fee');
    t.text('failure_reason');
    t.bigInteger('paid_at');
    t.bigInteger('created').notNullable();
    t.bigInteger('modified').notNullable();
    t.index(['account_id', 'livemode', 'created', 'id']);
    t.check(`status in ('active', 'processing', 'paid', 'expired', 'deactivated')`, [], 'withdrawal_links_status');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('withdrawal_links');
}
